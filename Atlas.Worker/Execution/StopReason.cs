namespace Atlas.Worker.Execution;

/// <summary>Why a running job was told to stop; decides what is recorded afterwards.</summary>
public enum StopReason
{
    /// <summary>Not stopped: it ended by itself.</summary>
    None,

    /// <summary>A user asked: recorded as cancelled.</summary>
    User,

    /// <summary>Its fencing token went stale (requeued elsewhere): nothing is recorded, the new owner decides.</summary>
    Stale,

    /// <summary>It ran for its time limit: recorded as failed, "time limit".</summary>
    TimeLimit,

    /// <summary>This worker is draining and the grace period is over: the job is handed back to the queue.</summary>
    Shutdown,
}
