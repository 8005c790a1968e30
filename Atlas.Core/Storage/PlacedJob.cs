namespace Atlas.Core.Storage;

/// <summary>A job the scheduler has just placed: where, under which fencing token, and the trace it belongs to.</summary>
/// <param name="Id">The job.</param>
/// <param name="Node">The node it was placed on.</param>
/// <param name="Fence">The assignment's fencing token.</param>
/// <param name="Attempt">Which attempt this placement starts.</param>
/// <param name="TraceParent">The job's stored W3C trace context, or null when its submit had none.</param>
public sealed record PlacedJob(string Id, string Node, long Fence, int Attempt, string? TraceParent);
