using System.Globalization;
using Atlas.Core.Jobs;

namespace Atlas.Master.Schedules;

/// <summary>The spec a tick submits: the schedule's, tagged with the schedule and the tick, so its jobs can be found and counted per tick.</summary>
public static class ScheduledSpec
{
    /// <summary>The tag naming the schedule that submitted a job.</summary>
    public const string ScheduleTag = "schedule";

    /// <summary>The tag holding the tick (the scheduled time, UTC, ISO 8601) a job was submitted for.</summary>
    public const string TickTag = "schedule_tick";

    public static JobSpec ForTick(JobSpec spec, string scheduleId, DateTimeOffset tick)
    {
        var tags = new Dictionary<string, string>(spec.Tags ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [ScheduleTag] = scheduleId,
            [TickTag] = tick.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        return spec with { Tags = tags };
    }
}
