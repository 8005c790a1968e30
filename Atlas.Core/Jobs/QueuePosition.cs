namespace Atlas.Core.Jobs;

/// <summary>One waiting job and its place in the queue (1 = placed next).</summary>
public sealed record QueuePosition(string Id, int Position);
