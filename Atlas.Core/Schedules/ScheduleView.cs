using Atlas.Core.Jobs;

namespace Atlas.Core.Schedules;

/// <summary>A schedule as the API shows it: what it runs, when it runs next, and how its last tick went.</summary>
public sealed record ScheduleView
{
    public required string Id { get; init; }

    /// <summary>The name it can be addressed by instead of its id (unique per user); null when it has none.</summary>
    public string? Name { get; init; }

    /// <summary>The cron expression: five fields (minute precision), or six with seconds first.</summary>
    public required string Cron { get; init; }

    /// <summary>The IANA (or Windows) time zone the expression is read in; <c>UTC</c> by default.</summary>
    public required string TimeZone { get; init; }

    public bool Paused { get; init; }

    /// <summary>When the next job is due, in UTC; null while paused.</summary>
    public DateTimeOffset? NextRunAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public string? Owner { get; init; }

    public string? Username { get; init; }

    /// <summary>The tick (scheduled time) of the last job submitted, and that job.</summary>
    public DateTimeOffset? LastTickAt { get; init; }

    public string? LastJobId { get; init; }

    /// <summary>The last job's state now; null when there is none or it was removed.</summary>
    public JobState? LastJobState { get; init; }

    /// <summary>The job spec every tick submits.</summary>
    public required JobSpec Spec { get; init; }
}
