namespace Atlas.Core.Scheduling;

/// <summary>A ready, live node as placement sees it: its capacity (what it registered).</summary>
/// <param name="Name">The node's name.</param>
/// <param name="Slots">How many jobs it runs at once.</param>
/// <param name="Gpus">Its GPU ids, in the order it registered them (empty for none).</param>
/// <param name="CpuMillis">Its CPU in thousandths of a core; null when it did not say (no CPU limit).</param>
/// <param name="MemoryBytes">Its memory; null when it did not say (no memory limit).</param>
public sealed record PlacementNode(string Name, int Slots, IReadOnlyList<string> Gpus, long? CpuMillis, long? MemoryBytes);
