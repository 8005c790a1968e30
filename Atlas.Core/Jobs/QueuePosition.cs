namespace Atlas.Core.Jobs;

/// <summary>One waiting job and its place in the queue (1 = placed next by priority and order).</summary>
public sealed record QueuePosition(string Id, int Position)
{
    /// <summary>Why it waits, in words.</summary>
    public string? WaitReason { get; init; }
}
