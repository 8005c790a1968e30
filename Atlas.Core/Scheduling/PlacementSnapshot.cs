namespace Atlas.Core.Scheduling;

/// <summary>
/// What one placement pass decides from, read in a few pipelined round trips: the ready nodes,
/// the head of every owner's queue (not the whole queue), everything on a node, the usage that
/// fair share weighs, and the groups the waiting jobs belong to. Only the leader consumes
/// resources, so a snapshot can only be conservative; the apply script checks each decision again.
/// </summary>
public sealed record PlacementSnapshot
{
    /// <summary>Redis's clock when the snapshot was read, in ms.</summary>
    public required long NowMs { get; init; }

    /// <summary>Ready, live nodes.</summary>
    public required IReadOnlyList<PlacementNode> Nodes { get; init; }

    /// <summary>How many nodes are registered at all (ready or not): none at all reads "no nodes".</summary>
    public int RegisteredNodes { get; init; }

    /// <summary>The head of each owner's queue, each owner's in their own order.</summary>
    public required IReadOnlyList<WaitingJob> Waiting { get; init; }

    /// <summary>How many jobs each owner has queued in all (their head may be only part of it).</summary>
    public IReadOnlyDictionary<string, long> QueuedByOwner { get; init; } = new Dictionary<string, long>();

    /// <summary>Every job on a node.</summary>
    public required IReadOnlyList<RunningJob> Running { get; init; }

    /// <summary>Each owner's decayed usage in weighted seconds, as of <see cref="UsageAtMs"/>.</summary>
    public IReadOnlyDictionary<string, double> Usage { get; init; } = new Dictionary<string, double>();

    /// <summary>When <see cref="Usage"/> was last brought up to date; 0 for never.</summary>
    public long UsageAtMs { get; init; }

    /// <summary>The job the last pass reserved a node for, if any: it is considered first while nothing of higher priority waits.</summary>
    public string? ReservedJob { get; init; }

    /// <summary>The groups of the waiting jobs, by id.</summary>
    public IReadOnlyDictionary<string, GroupLoad> Groups { get; init; } = new Dictionary<string, GroupLoad>();
}
