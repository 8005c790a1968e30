namespace Atlas.Master;

/// <summary>Scheduled jobs' messages (ids 1201–1208): part of the master's one log class, kept beside them.</summary>
internal static partial class Log
{
    [LoggerMessage(1201, LogLevel.Information, "Schedule {ScheduleId} added ({Cron}, {TimeZone}); next run {Next:o}.")]
    public static partial void ScheduleAdded(ILogger logger, string scheduleId, string cron, string timeZone, DateTimeOffset next);

    [LoggerMessage(1202, LogLevel.Information, "Schedule {ScheduleId} submitted job {JobId} for its tick at {Tick:o}.")]
    public static partial void TickSubmitted(ILogger logger, string scheduleId, string jobId, DateTimeOffset tick);

    [LoggerMessage(1203, LogLevel.Warning, "Schedule {ScheduleId}: the job for its tick at {Tick:o} was refused ({Reason}); the tick is skipped.")]
    public static partial void TickRefused(ILogger logger, string scheduleId, DateTimeOffset tick, string reason);

    [LoggerMessage(1204, LogLevel.Warning, "Scheduled jobs: the look for due schedules failed; trying again at the next.")]
    public static partial void TickFailed(ILogger logger, Exception exception);

    [LoggerMessage(1205, LogLevel.Information, "Schedule {ScheduleId} missed {Missed} ticks while no master led; running one now for {Tick:o}.")]
    public static partial void TicksMissed(ILogger logger, string scheduleId, int missed, DateTimeOffset tick);

    [LoggerMessage(1206, LogLevel.Information, "Schedule {ScheduleId} {Change}.")]
    public static partial void ScheduleChanged(ILogger logger, string scheduleId, string change);

    [LoggerMessage(1207, LogLevel.Warning, "Schedule {ScheduleId} will not fire again ({Cron}); it is paused.")]
    public static partial void ScheduleExhausted(ILogger logger, string scheduleId, string cron);

    [LoggerMessage(1208, LogLevel.Warning, "Schedule {ScheduleId}: its tick failed; trying again at the next look.")]
    public static partial void ScheduleTickFailed(ILogger logger, string scheduleId, Exception exception);
}
