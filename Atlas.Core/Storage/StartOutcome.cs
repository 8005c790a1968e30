namespace Atlas.Core.Storage;

/// <summary>What happened when a worker tried to start an assigned job.</summary>
public enum StartOutcome
{
    /// <summary>The job is running under the worker's token.</summary>
    Started,

    /// <summary>A stop came before the start; the job is now cancelled.</summary>
    Cancelled,

    /// <summary>The assignment is no longer this worker's (token or state changed); do nothing.</summary>
    Stale,
}
