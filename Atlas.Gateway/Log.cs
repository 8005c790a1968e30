namespace Atlas.Gateway;

/// <summary>The gateway's log messages, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Warning, "Job {JobId}: node {Node} did not answer ({Error}); asking the master instead.")]
    public static partial void NodeUnreachable(ILogger logger, string jobId, string node, string error);
}
