namespace Atlas.Core.Nodes;

/// <summary>What a node has for jobs beside its slots, and how it enforces CPU and memory limits.</summary>
public sealed record NodeResources
{
    /// <summary>Its GPUs, in id order as found; empty for none.</summary>
    public IReadOnlyList<NodeGpu> Gpus { get; init; } = [];

    /// <summary>CPU capacity in thousandths of a core (cores × 1000).</summary>
    public long CpuMillis { get; init; }

    /// <summary>Memory capacity in bytes.</summary>
    public long MemoryBytes { get; init; }

    /// <summary>How CPU and memory limits are enforced: <see cref="NodeLimits.Docker"/>, <see cref="NodeLimits.Cgroup"/> or <see cref="NodeLimits.None"/>.</summary>
    public string Limits { get; init; } = NodeLimits.None;

    /// <summary>In words: how they are enforced, or why they are not.</summary>
    public string LimitsNote { get; init; } = "";
}
