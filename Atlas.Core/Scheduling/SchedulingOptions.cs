namespace Atlas.Core.Scheduling;

/// <summary>
/// How the master places jobs, section <c>Atlas:Scheduling</c> (e.g. <c>Atlas__Scheduling__Policy=fifo</c>,
/// <c>Atlas__Scheduling__MaxGpusPerUser=8</c>, <c>Atlas__Scheduling__Users__alice__MaxRunningJobs=20</c>).
/// Nothing needs setting on day one: no limits, fair share on.
/// </summary>
public sealed class SchedulingOptions
{
    public const string Section = "Atlas:Scheduling";

    /// <summary><c>fair</c> (the default) or <c>fifo</c>.</summary>
    public PlacementPolicyKind Policy { get; set; } = PlacementPolicyKind.Fair;

    /// <summary>Usage halves every this many seconds, so last week's big run weighs less than this morning's (1 day).</summary>
    public double UsageHalfLifeSeconds { get; set; } = 86_400;

    /// <summary>A job's usage per second is 1 + its GPUs × this weight: a GPU-hour counts as this many slot-hours.</summary>
    public double GpuWeight { get; set; } = 4;

    /// <summary>
    /// What each job on a node adds to its owner's standing in a pass, in weighted seconds, so one pass alternates
    /// between users instead of giving one user everything before their usage catches up.
    /// </summary>
    public double RunningChargeSeconds { get; set; } = 60;

    /// <summary>How many of each owner's first queued jobs a pass looks at; the rest wait their turn.</summary>
    public int HeadsPerOwner { get; set; } = 64;

    /// <summary>How long the last pass's wait reasons are kept (they are rewritten every pass).</summary>
    public double ReasonsTtlSeconds { get; set; } = 120;

    /// <summary>Every user's limit of jobs on nodes at once; 0 for none.</summary>
    public int MaxRunningJobsPerUser { get; set; }

    /// <summary>Every user's limit of GPUs held at once; 0 for none.</summary>
    public int MaxGpusPerUser { get; set; }

    /// <summary>Limits for named users (by user name), over the ones above.</summary>
    public Dictionary<string, UserLimits> Users { get; set; } = new(StringComparer.Ordinal);

    /// <summary>CPU cores a job gets when it asks for none; null for no limit.</summary>
    public double? DefaultCpus { get; set; }

    /// <summary>Memory a job gets when it asks for none (<c>8g</c>); null for no limit.</summary>
    public string? DefaultMemory { get; set; }

    /// <summary>The running-jobs limit of <paramref name="user"/>; 0 for none.</summary>
    public int MaxRunningJobsFor(string user) =>
        Users.TryGetValue(user, out var limits) && limits.MaxRunningJobs is { } max ? max : MaxRunningJobsPerUser;

    /// <summary>The GPU limit of <paramref name="user"/>; 0 for none.</summary>
    public int MaxGpusFor(string user) =>
        Users.TryGetValue(user, out var limits) && limits.MaxGpus is { } max ? max : MaxGpusPerUser;
}
