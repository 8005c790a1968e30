namespace Atlas.Worker;

/// <summary>The worker's log messages, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(2001, LogLevel.Information, "Node {Node} registered at {Address} with {Slots} slots, runtime {Runtime}.")]
    public static partial void Registered(ILogger logger, string node, string address, int slots, string runtime);

    [LoggerMessage(2002, LogLevel.Debug, "Job {JobId} claimed (attempt token {Fence}).")]
    public static partial void JobClaimed(ILogger logger, string jobId, long fence);

    [LoggerMessage(2021, LogLevel.Information, "Job {JobId}: its inbox entry was stale (the job was requeued or stopped meanwhile); not claimed.")]
    public static partial void ClaimRefused(ILogger logger, string jobId);

    [LoggerMessage(2022, LogLevel.Warning, "Job {JobId}: its start could not be recorded (Redis stayed away); it stays starting until its lease lapses.")]
    public static partial void StartNotRecorded(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(2003, LogLevel.Information, "Job {JobId} ended: {State}, exit code {ExitCode}.")]
    public static partial void JobEnded(ILogger logger, string jobId, string state, int? exitCode);

    [LoggerMessage(2004, LogLevel.Warning, "Job {JobId}: its assignment is no longer ours (stale token); stopping it without recording.")]
    public static partial void JobStale(ILogger logger, string jobId);

    [LoggerMessage(2005, LogLevel.Warning, "Job {JobId} could not start: {Reason}")]
    public static partial void JobStartFailed(ILogger logger, string jobId, string reason);

    [LoggerMessage(2006, LogLevel.Error, "Job {JobId}: the worker failed while running it.")]
    public static partial void JobCrashed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(2007, LogLevel.Warning, "Heartbeat failed; retrying.")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(2008, LogLevel.Warning, "Reading assignments failed; retrying.")]
    public static partial void InboxFailed(ILogger logger, Exception exception);

    [LoggerMessage(2009, LogLevel.Warning, "Job {JobId}: recording its end was refused ({Outcome}).")]
    public static partial void CompletionRefused(ILogger logger, string jobId, string outcome);

    [LoggerMessage(2090, LogLevel.Information, "Job {JobId} failed with exit code {ExitCode}; its retry policy queued it again as a new attempt.")]
    public static partial void JobRetried(ILogger logger, string jobId, int? exitCode);

    [LoggerMessage(2010, LogLevel.Information, "Drain grace period over: stopping {Count} running jobs and handing them back to the queue.")]
    public static partial void StoppingForShutdown(ILogger logger, int count);

    [LoggerMessage(2011, LogLevel.Information, "Draining: taking no new work; {Count} running jobs have {Seconds} s to finish.")]
    public static partial void Draining(ILogger logger, int count, double seconds);

    [LoggerMessage(2012, LogLevel.Warning, "A drain step failed; the master requeues what is left when its lease lapses.")]
    public static partial void DrainStepFailed(ILogger logger, Exception exception);

    [LoggerMessage(2020, LogLevel.Warning, "Job {JobId}: Redis is away; recording how it ended again in a second.")]
    public static partial void OutcomeRetrying(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Job {JobId}: image {Image} is not on this node, pulling it.")]
    public static partial void PullingImage(ILogger logger, string jobId, string image);

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "Job {JobId}: container {ContainerId} started from {Image}.")]
    public static partial void ContainerStarted(ILogger logger, string jobId, string containerId, string image);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Job {JobId}: stopping, SIGKILL after {GracePeriod}.")]
    public static partial void Stopping(ILogger logger, string jobId, TimeSpan gracePeriod);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Job {JobId}: container {ContainerId} could not be removed; it is removed with the node's leftovers later.")]
    public static partial void RemoveFailed(ILogger logger, Exception exception, string jobId, string containerId);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "Job {JobId}: container {ContainerName} was left from an earlier attempt; replacing it.")]
    public static partial void ReplacingLeftover(ILogger logger, string jobId, string containerName);

    [LoggerMessage(EventId = 311, Level = LogLevel.Debug, Message = "Job {JobId}: process {ProcessId} started ({Program}).")]
    public static partial void ProcessStarted(ILogger logger, string jobId, int processId, string program);

    [LoggerMessage(EventId = 312, Level = LogLevel.Warning, Message = "Job {JobId}: process {ProcessId} outlived its grace period; killing its process tree.")]
    public static partial void KillingAfterGrace(ILogger logger, string jobId, int processId);

    [LoggerMessage(EventId = 313, Level = LogLevel.Warning, Message = "Job {JobId}: its process ended but a child still holds its output open; no longer reading it.")]
    public static partial void OutputAbandoned(ILogger logger, string jobId);

    [LoggerMessage(2013, LogLevel.Warning, "Job {JobId}: process {ProcessId} was left running by an earlier life of this worker; killed.")]
    public static partial void LeftoverProcessKilled(ILogger logger, string jobId, int processId);

    [LoggerMessage(2014, LogLevel.Warning, "Job {JobId}: container {ContainerId} was left by an earlier life of this worker; removed.")]
    public static partial void LeftoverContainerRemoved(ILogger logger, string jobId, string containerId);

    [LoggerMessage(2015, LogLevel.Warning, "Could not list this node's leftover containers; they are removed when the cluster stops.")]
    public static partial void LeftoversUnknown(ILogger logger, Exception exception);

    [LoggerMessage(2016, LogLevel.Information, "Job {JobId} was starting or running when this worker last stopped; it goes back to the queue.")]
    public static partial void RequeuedAfterRestart(ILogger logger, string jobId);

    [LoggerMessage(2030, LogLevel.Warning, "Job {JobId}: its reports could not be written to Redis; they are sent again with the next write.")]
    public static partial void MetricsWriteFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(2031, LogLevel.Warning, "Job {JobId}: its metrics file or durable copy could not be read or written.")]
    public static partial void MetricsReadFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(2032, LogLevel.Information, "Job {JobId}: Redis had lost its reports; sending them all again.")]
    public static partial void MetricsResent(ILogger logger, string jobId);

    [LoggerMessage(2033, LogLevel.Warning, "Job {JobId}: its reports are refused (stale token); taking no more.")]
    public static partial void MetricsStale(ILogger logger, string jobId);

    [LoggerMessage(2034, LogLevel.Error, "Job {JobId}: taking its reports failed; the job runs on without them.")]
    public static partial void MetricsIngestFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(2101, LogLevel.Information, "No GPU found: {Program} is not on this node.")]
    public static partial void NoNvidiaSmi(ILogger logger, string program);

    [LoggerMessage(2102, LogLevel.Warning, "No GPU found: nvidia-smi exited with code {ExitCode}: {Message}")]
    public static partial void NvidiaSmiFailed(ILogger logger, int exitCode, string message);

    [LoggerMessage(2103, LogLevel.Warning, "No GPU found: nvidia-smi did not answer within {Seconds} s.")]
    public static partial void NvidiaSmiTimedOut(ILogger logger, double seconds);

    [LoggerMessage(2104, LogLevel.Warning, "nvidia-smi printed a line that is not a GPU, skipped: {Line}")]
    public static partial void NvidiaSmiLineSkipped(ILogger logger, string line);

    [LoggerMessage(2105, LogLevel.Information, "Node {Node} has GPUs [{Gpus}], {Cpus} CPUs, {Memory} memory; limits {Limits}: {Note}")]
    public static partial void Resources(ILogger logger, string node, string gpus, double cpus, string memory, string limits, string note);

    [LoggerMessage(2106, LogLevel.Information, "Job {JobId}: its time limit of {Limit} is reached; stopping it.")]
    public static partial void TimeLimitReached(ILogger logger, string jobId, TimeSpan limit);

    [LoggerMessage(2107, LogLevel.Warning, "Job {JobId}: its cgroup could not be made ({Message}); it runs without CPU or memory limits.")]
    public static partial void CgroupFailed(ILogger logger, string jobId, string message);
}
