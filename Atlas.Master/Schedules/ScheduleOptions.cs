namespace Atlas.Master.Schedules;

/// <summary>Scheduled jobs' settings, section <c>Atlas:Master:Schedules</c>.</summary>
public sealed class ScheduleOptions
{
    public const string Section = "Atlas:Master:Schedules";

    /// <summary>
    /// How often the leader looks for due schedules. A job starts at most this long after its
    /// tick; one look is a single read of a sorted set.
    /// </summary>
    public double CheckIntervalSeconds { get; set; } = 1;

    /// <summary>The most schedules ticked in one look; the rest are ticked at the next.</summary>
    public int MaxTicksPerCheck { get; set; } = 100;

    public TimeSpan CheckInterval => TimeSpan.FromSeconds(CheckIntervalSeconds);
}
