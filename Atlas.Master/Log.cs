namespace Atlas.Master;

/// <summary>The master's log messages, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Debug, "Job {JobId} submitted to project {Project}.")]
    public static partial void JobSubmitted(ILogger logger, string jobId, string project);

    [LoggerMessage(1002, LogLevel.Debug, "Placed {Count} jobs.")]
    public static partial void Placed(ILogger logger, int count);

    [LoggerMessage(1003, LogLevel.Warning, "Scheduling pass failed; retrying on the next event.")]
    public static partial void SchedulingFailed(ILogger logger, Exception exception);

    [LoggerMessage(1004, LogLevel.Information, "Requeued or failed {Count} jobs whose lease expired.")]
    public static partial void Reaped(ILogger logger, int count);

    [LoggerMessage(1005, LogLevel.Warning, "Lease sweep failed; retrying.")]
    public static partial void ReapFailed(ILogger logger, Exception exception);

    [LoggerMessage(1006, LogLevel.Information, "Job {JobId} removed.")]
    public static partial void JobDeleted(ILogger logger, string jobId);

    [LoggerMessage(1007, LogLevel.Information, "Master {MasterId} is the leader (epoch {Epoch}).")]
    public static partial void BecameLeader(ILogger logger, string masterId, long epoch);

    [LoggerMessage(1008, LogLevel.Warning, "Master {MasterId} lost the leader lease; standing by.")]
    public static partial void LostLeadership(ILogger logger, string masterId);

    [LoggerMessage(1009, LogLevel.Information, "Master {MasterId} gave up the leader lease.")]
    public static partial void Resigned(ILogger logger, string masterId);

    [LoggerMessage(1010, LogLevel.Warning, "Renewing the leader lease failed; retrying.")]
    public static partial void LeaseRenewalFailed(ILogger logger, Exception exception);

    [LoggerMessage(1011, LogLevel.Information, "Submit replayed: idempotency key already names job {JobId}.")]
    public static partial void SubmitReplayed(ILogger logger, string jobId);

    [LoggerMessage(1012, LogLevel.Critical, "Job {JobId} recorded; killing this master before it answers (Atlas:Master:KillAfterSubmitRecorded, a test setting).")]
    public static partial void KillingAfterSubmit(ILogger logger, string jobId);

    [LoggerMessage(1020, LogLevel.Warning, "Job {JobId}: its submitted params and tags could not be recorded in Redis; its spec keeps them.")]
    public static partial void LabelsNotRecorded(ILogger logger, string jobId, Exception exception);

    // 1300-1319: groups and dependencies (submission).
    [LoggerMessage(1300, LogLevel.Debug, "Group {GroupId} submitted: {Count} jobs.")]
    public static partial void GroupSubmitted(ILogger logger, string groupId, int count);

    [LoggerMessage(1301, LogLevel.Information, "Group {GroupId}: {Cancelled} jobs cancelled, {Stopping} asked to stop.")]
    public static partial void GroupStopped(ILogger logger, string groupId, int cancelled, int stopping);
    [LoggerMessage(1030, LogLevel.Information, "Removed {Count} blobs that no job or recent upload needs.")]
    public static partial void BlobsCollected(ILogger logger, int count);

    [LoggerMessage(1031, LogLevel.Warning, "Blob collection skipped: the manifest {Path} could not be read, and in doubt nothing is removed.")]
    public static partial void BlobCollectionSkipped(ILogger logger, string path, Exception exception);

    [LoggerMessage(1032, LogLevel.Warning, "Blob collection failed; retrying on the next sweep.")]
    public static partial void BlobSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(1021, LogLevel.Information, "{Count} queued jobs were missing from their owner's queue (queued by an older version); they are placed from now on.")]
    public static partial void OwnerQueuesRepaired(ILogger logger, long count);
}
