namespace Atlas.Master.Options;

/// <summary>The master's settings, section <c>Atlas:Master</c> (e.g. <c>Atlas__Master__MaxAttempts=3</c>); the job lease is the shared <c>Atlas:LeaseSeconds</c>.</summary>
public sealed class MasterOptions
{
    public const string Section = "Atlas:Master";

    /// <summary>This master's name in the leader lease; unique per master (machine name and process id by default).</summary>
    public string Name { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>
    /// How long the leader's lease lasts without renewal: a standby takes over at most this long
    /// after the active master dies.
    /// </summary>
    public double LeaderLeaseSeconds { get; set; } = 5;

    /// <summary>The largest bundle accepted, compressed and unpacked, in bytes (1 GiB). Larger gets 413.</summary>
    public long MaxBundleBytes { get; set; } = 1L << 30;

    /// <summary>The most files and folders a bundle may hold.</summary>
    public int MaxBundleEntries { get; set; } = 100_000;

    /// <summary>The most jobs one group submit (a sweep or an array) may create; more is a 400 naming <c>group</c>.</summary>
    public int MaxGroupJobs { get; set; } = 10_000;

    /// <summary>
    /// How long an uploaded blob that no job names is kept (24 h): it covers the time between
    /// the CLI's "which blobs are missing" and its submit, and lets a project that was removed
    /// and resubmitted soon upload nothing. The largest blob accepted is <see cref="MaxBundleBytes"/>.
    /// </summary>
    public double BlobGraceSeconds { get; set; } = 24 * 3600;

    /// <summary>How often the leader looks for blobs to remove (hourly).</summary>
    public double BlobSweepSeconds { get; set; } = 3600;

    /// <summary>How many times a lost job is started before it fails.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>How often expired leases and silent nodes are swept.</summary>
    public double ReapIntervalSeconds { get; set; } = 1;

    /// <summary>
    /// The scheduler acts on events; this is only its safety net for an event missed while the
    /// Redis connection was down.
    /// </summary>
    public double IdleRescheduleSeconds { get; set; } = 2;

    /// <summary>
    /// For tests only: after recording a submit in Redis, the master kills itself (SIGKILL)
    /// before it answers, so a test can show that replaying the submit returns the same job.
    /// </summary>
    public bool KillAfterSubmitRecorded { get; set; }

    public TimeSpan ReapInterval => TimeSpan.FromSeconds(ReapIntervalSeconds);

    public TimeSpan LeaderLease => TimeSpan.FromSeconds(LeaderLeaseSeconds);
}
