namespace Atlas.Core.Storage;

/// <summary>The kinds of <see cref="PriorityOutcome"/>.</summary>
public enum PriorityKind
{
    /// <summary>No such job.</summary>
    Missing,

    /// <summary>The job waited and now has its new priority and place.</summary>
    Changed,

    /// <summary>The job is no longer waiting (placed, running or ended): its priority no longer matters.</summary>
    NotQueued,
}
