namespace Atlas.Core.Nodes;

/// <summary>A worker node as the API shows it.</summary>
public sealed record NodeView
{
    public required string Name { get; init; }

    /// <summary>The node's <c>HOST_ADDRESS</c>, where the gateway forwards job-specific calls.</summary>
    public required string Address { get; init; }

    /// <summary><c>docker</c> or <c>process</c>.</summary>
    public required string Runtime { get; init; }

    public int Slots { get; init; }
    public int Running { get; init; }
    public required NodeState State { get; init; }
    public DateTimeOffset? LastSeen { get; init; }

    /// <summary>Its GPUs (ids, model, memory); empty for none.</summary>
    public IReadOnlyList<NodeGpu> Gpus { get; init; } = [];

    /// <summary>The GPU ids held by the jobs on it now.</summary>
    public IReadOnlyList<string> GpusInUse { get; init; } = [];

    /// <summary>CPU capacity in thousandths of a core; 0 when the node did not say.</summary>
    public long CpuMillis { get; init; }

    /// <summary>CPU asked for by the jobs on it now, in thousandths of a core.</summary>
    public long CpuMillisInUse { get; init; }

    /// <summary>Memory capacity in bytes; 0 when the node did not say.</summary>
    public long MemoryBytes { get; init; }

    /// <summary>Memory asked for by the jobs on it now, in bytes.</summary>
    public long MemoryBytesInUse { get; init; }

    /// <summary>How it enforces CPU and memory limits: <c>docker</c>, <c>cgroup</c> or <c>none</c>.</summary>
    public string Limits { get; init; } = NodeLimits.None;

    /// <summary>How the limits are enforced, or why they are not, in words.</summary>
    public string LimitsNote { get; init; } = "";
}
