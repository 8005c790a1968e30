namespace Atlas.Core.Storage;

/// <summary>What a delete request did.</summary>
public enum DeleteOutcome
{
    Deleted,
    Missing,

    /// <summary>The job has not ended; only finished jobs can be removed.</summary>
    Active,
}
