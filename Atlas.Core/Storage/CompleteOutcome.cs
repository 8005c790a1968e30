namespace Atlas.Core.Storage;

/// <summary>What happened when a worker recorded a job's end.</summary>
public enum CompleteOutcome
{
    /// <summary>Recorded.</summary>
    Done,

    /// <summary>A failure the job's retry policy covers: it is queued again as a new attempt instead of ending.</summary>
    Retried,

    /// <summary>Refused: the worker's fencing token is stale (the job was requeued or reassigned).</summary>
    Stale,

    /// <summary>Refused: the job had already ended; terminal states never change.</summary>
    AlreadyTerminal,

    /// <summary>Refused: the transition table forbids that end from the job's state (it cannot succeed before it started).</summary>
    Forbidden,
}
