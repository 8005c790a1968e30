namespace Atlas.Core.Scheduling;

/// <summary>A job on a node (assigned, starting or running) as placement sees it: what it holds and until when.</summary>
/// <param name="Id">The job.</param>
/// <param name="Node">The node it holds resources on.</param>
/// <param name="Owner">Its owner's subject.</param>
/// <param name="GpuIds">The GPU ids it holds.</param>
/// <param name="CpuMillis">The CPU it holds, thousandths of a core.</param>
/// <param name="MemoryBytes">The memory it holds.</param>
/// <param name="SinceMs">When it was placed, ms on Redis's clock.</param>
/// <param name="ExpectedEndMs">When its time limit ends it at the latest; null when it has none.</param>
public sealed record RunningJob(
    string Id, string Node, string Owner, IReadOnlyList<string> GpuIds, long CpuMillis, long MemoryBytes, long SinceMs, long? ExpectedEndMs);
