namespace Atlas.Master;

/// <summary>The dynamic workers' messages (ids 1101–1104): part of the master's one log class, kept beside them.</summary>
internal static partial class Log
{
    [LoggerMessage(1101, LogLevel.Information, "Dynamic workers on for cluster {ClusterId}: at most {Max}.")]
    public static partial void DynamicWorkersOn(ILogger logger, string clusterId, int max);

    [LoggerMessage(1102, LogLevel.Information, "Launched {Count} dynamic workers: {Queued} jobs queued, {Free} free slots.")]
    public static partial void LaunchedWorkers(ILogger logger, int count, long queued, int free);

    [LoggerMessage(1103, LogLevel.Information, "Terminated {Count} dynamic workers ({Why}): {Ids}.")]
    public static partial void TerminatedWorkers(ILogger logger, int count, string why, string ids);

    [LoggerMessage(1104, LogLevel.Warning, "Dynamic workers: the look at the queue and the fleet failed; trying again at the next check.")]
    public static partial void DynamicWorkersFailed(ILogger logger, Exception exception);
}
