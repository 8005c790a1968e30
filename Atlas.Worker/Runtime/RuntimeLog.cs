namespace Atlas.Worker.Runtime;

/// <summary>The runtimes' log messages (event ids 300–399).</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Job {JobId}: image {Image} is not on this node, pulling it.")]
    public static partial void PullingImage(ILogger logger, string jobId, string image);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Job {JobId}: container {ContainerId} started from {Image}.")]
    public static partial void ContainerStarted(ILogger logger, string jobId, string containerId, string image);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Job {JobId}: stopping, SIGKILL after {GracePeriod}.")]
    public static partial void Stopping(ILogger logger, string jobId, TimeSpan gracePeriod);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Job {JobId}: container {ContainerId} could not be removed; it is removed with the node's leftovers later.")]
    public static partial void RemoveFailed(ILogger logger, Exception exception, string jobId, string containerId);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "Job {JobId}: container {ContainerName} was left from an earlier attempt; replacing it.")]
    public static partial void ReplacingLeftover(ILogger logger, string jobId, string containerName);

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "Job {JobId}: process {ProcessId} started ({Program}).")]
    public static partial void ProcessStarted(ILogger logger, string jobId, int processId, string program);

    [LoggerMessage(EventId = 312, Level = LogLevel.Warning, Message = "Job {JobId}: process {ProcessId} outlived its grace period; killing its process tree.")]
    public static partial void KillingAfterGrace(ILogger logger, string jobId, int processId);

    [LoggerMessage(EventId = 313, Level = LogLevel.Warning, Message = "Job {JobId}: its process ended but a child still holds its output open; no longer reading it.")]
    public static partial void OutputAbandoned(ILogger logger, string jobId);
}
