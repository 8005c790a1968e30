namespace Atlas.Core.Storage;

/// <summary>The kinds of <see cref="StopOutcome"/>.</summary>
public enum StopKind
{
    /// <summary>No such job.</summary>
    Missing,

    /// <summary>It was queued and is now cancelled.</summary>
    Cancelled,

    /// <summary>Its node was told to stop it; it becomes cancelled when the node has killed it.</summary>
    Stopping,

    /// <summary>It had already ended.</summary>
    AlreadyTerminal,
}
