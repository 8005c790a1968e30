namespace Atlas.Core.Storage;

/// <summary>What a stop request did.</summary>
/// <param name="Kind">The outcome.</param>
/// <param name="Node">For <see cref="StopKind.Stopping"/>, the node asked to stop the job.</param>
public sealed record StopOutcome(StopKind Kind, string? Node = null);
