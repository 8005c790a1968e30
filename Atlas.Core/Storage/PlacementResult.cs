namespace Atlas.Core.Storage;

/// <summary>What an applied placement pass did: the jobs placed, and the decisions refused because they no longer held.</summary>
public sealed record PlacementResult(IReadOnlyList<PlacedJob> Placed, IReadOnlyList<string> Refused);
