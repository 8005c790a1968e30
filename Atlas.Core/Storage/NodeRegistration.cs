using Atlas.Core.Nodes;

namespace Atlas.Core.Storage;

/// <summary>What a worker announces about itself.</summary>
/// <param name="Name">Unique node name.</param>
/// <param name="Address">Its <c>HOST_ADDRESS</c>, reachable by the gateway.</param>
/// <param name="Runtime"><c>docker</c> or <c>process</c>.</param>
/// <param name="Slots">How many jobs it runs at once.</param>
public sealed record NodeRegistration(string Name, string Address, string Runtime, int Slots)
{
    /// <summary>Its GPUs, CPU, memory and limits support; null writes none (no GPU, no CPU or memory figures).</summary>
    public NodeResources? Resources { get; init; }
}
