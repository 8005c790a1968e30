namespace Atlas.Core.Containers;

/// <summary>
/// The labels Atlas puts on every job container, so that a worker, or the AppHost at start, can
/// find and remove containers left behind by a crash.
/// </summary>
public static class ContainerLabels
{
    /// <summary>The job's id.</summary>
    public const string Job = "atlas.job";

    /// <summary>The name of the node that started the container.</summary>
    public const string Node = "atlas.node";

    /// <summary>The cluster the node belongs to.</summary>
    public const string Cluster = "atlas.cluster";
}
