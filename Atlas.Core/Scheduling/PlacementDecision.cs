namespace Atlas.Core.Scheduling;

/// <summary>One job to put on one node, with the exact GPU ids it gets.</summary>
public sealed record PlacementDecision(string JobId, string Node, IReadOnlyList<string> GpuIds);
