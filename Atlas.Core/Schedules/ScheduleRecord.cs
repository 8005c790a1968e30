using Atlas.Core.Jobs;

namespace Atlas.Core.Schedules;

/// <summary>A schedule as Redis holds it (<see cref="Storage.RedisKeys.Schedule"/>).</summary>
public sealed record ScheduleRecord
{
    public required string Id { get; init; }

    public string? Name { get; init; }

    public required string Cron { get; init; }

    public required string TimeZone { get; init; }

    public required JobOwner Owner { get; init; }

    public required JobSpec Spec { get; init; }

    public bool Paused { get; init; }

    /// <summary>The next tick; the leader claims it by compare-and-set on this value.</summary>
    public DateTimeOffset? Next { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? LastTick { get; init; }

    public string? LastJob { get; init; }

    /// <summary>A claimed tick whose job may not be recorded yet, and the id that job gets.</summary>
    public DateTimeOffset? PendingTick { get; init; }

    public string? PendingJob { get; init; }
}
