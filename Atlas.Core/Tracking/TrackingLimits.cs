namespace Atlas.Core.Tracking;

/// <summary>
/// The caps that keep one job's reports from crowding Redis, the shared volume or other jobs.
/// Bound from <c>Atlas:Tracking</c> on the worker.
/// </summary>
public sealed record TrackingLimits
{
    public const string Section = "Atlas:Tracking";

    /// <summary>Points kept per series in Redis; past it the series is downsampled (extremes and the last value kept).</summary>
    public int MaxPointsPerSeries { get; init; } = 10_000;

    /// <summary>Distinct metrics per job; values of further ones are rejected and counted. With the per-series cap it bounds a job's points in Redis (24 bytes each).</summary>
    public int MaxSeries { get; init; } = 100;

    /// <summary>Distinct params, and distinct tags, per job.</summary>
    public int MaxLabels { get; init; } = 1_000;

    /// <summary>Points written to the durable copy per job as they come; past it, each write keeps only every series' last value and extremes.</summary>
    public int MaxDurablePoints { get; init; } = 200_000;

    /// <summary>Entries of the live feed (what <c>?since=</c> follows) kept per job.</summary>
    public int LiveLength { get; init; } = 10_000;

    /// <summary>How long the live feed outlives its job (for a follower that comes late); the series stay.</summary>
    public int LiveSecondsAfterEnd { get; init; } = 600;

    /// <summary>Points one write adds to the live feed; past it, only each series' latest.</summary>
    public int MaxLivePerFlush { get; init; } = 2_000;

    /// <summary>Bytes of the metrics file read per job per tick, so a flooding job waits its turn rather than slowing the others.</summary>
    public int MaxBytesPerTick { get; init; } = 4 << 20;

    /// <summary>How often the worker reads the file and writes what it found.</summary>
    public int FlushMilliseconds { get; init; } = 250;

    public static TrackingLimits Default { get; } = new();
}
