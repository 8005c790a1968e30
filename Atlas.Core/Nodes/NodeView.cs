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
}
