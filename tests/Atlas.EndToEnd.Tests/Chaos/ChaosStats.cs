namespace Atlas.EndToEnd.Tests.Chaos;

/// <summary>What the chaos test did and saw, printed at its end.</summary>
internal sealed class ChaosStats
{
    // Fields, so the submitting clients can count with Interlocked.
    public int SubmitFailures;

    public int WorkerKills { get; set; }

    public int MasterKills { get; set; }

    public int RedisRestarts { get; set; }

    public int Requeues { get; set; }

    public int Lost { get; set; }

    public List<TimeSpan> Takeovers { get; } = [];

    public TimeSpan RedisDown { get; set; }

    public TimeSpan RedisRecovered { get; set; }

    /// <summary>How often the sampler read every node's GPUs and every group's running count.</summary>
    public int Samples { get; set; }

    /// <summary>What the sampler saw break: a GPU held by two jobs of one node, a group over its limit.</summary>
    public List<string> Violations { get; } = [];
}
