namespace Atlas.Core.Jobs;

/// <summary>A job as the API shows it.</summary>
public sealed record JobView
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    public required string Project { get; init; }
    public string? Image { get; init; }
    public IReadOnlyList<string> Command { get; init; } = [];
    public int Priority { get; init; }
    public required JobState State { get; init; }

    /// <summary>The submitter's <c>sub</c>; only they and admins see the job. Null for jobs from before owners were recorded.</summary>
    public string? Owner { get; init; }

    /// <summary>The submitter's name, for display.</summary>
    public string? Username { get; init; }

    /// <summary>The node the job is (or was last) placed on.</summary>
    public string? Node { get; init; }

    /// <summary>The GPU ids assigned on <see cref="Node"/> for this attempt; empty when it has none.</summary>
    public IReadOnlyList<string> GpuIds { get; init; } = [];

    /// <summary>1 for the first run; grows each time a lost job, or a failure its retry policy covers, is queued again.</summary>
    public int Attempt { get; init; }

    public int? ExitCode { get; init; }

    /// <summary>Why the job failed or was cancelled, in words.</summary>
    public string? Reason { get; init; }

    /// <summary>While the job is queued: why it waits, in words ("needs 4 GPUs; the largest free is 2 on worker-3"); null otherwise.</summary>
    public string? WaitReason { get; init; }

    public required DateTimeOffset SubmittedAt { get; init; }

    /// <summary>When the node took the job (it became <c>starting</c>): image pull and container creation follow.</summary>
    public DateTimeOffset? ClaimedAt { get; init; }

    /// <summary>When the job's process or container really started (it became <c>running</c>).</summary>
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The W3C trace id of the job's one trace (its submit, placements and attempts), when its submit was traced.</summary>
    public string? TraceId { get; init; }

    /// <summary>The job's parameters: those given at submit, and those the job reported (which win).</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    /// <summary>The job's tags, from the submit and from the job.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>How many failures get a new attempt (<c>--retries</c>).</summary>
    public int Retries { get; init; }

    /// <summary>How many of <see cref="Retries"/> were used: failures queued again as a new attempt.</summary>
    public int Retried { get; init; }

    /// <summary>The node of each retried failure, oldest first (a node twice: failed there twice).</summary>
    public IReadOnlyList<string> FailedOn { get; init; } = [];

    /// <summary>The group (sweep or array) the job was submitted in, if any.</summary>
    public string? Group { get; init; }

    /// <summary>The jobs this queued job still waits on (<c>--after</c>, <c>--after-any</c>); empty when it waits on none.</summary>
    public IReadOnlyList<string> WaitingFor { get; init; } = [];

    /// <summary>Every state the job went through, oldest first.</summary>
    public IReadOnlyList<JobHistoryEntry> History { get; init; } = [];
}
