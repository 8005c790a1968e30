namespace Atlas.Core.Nodes;

/// <summary>The values of a node's <c>limits</c> field: how it enforces a job's CPU and memory.</summary>
public static class NodeLimits
{
    /// <summary>The Docker Engine sets them on each job's container.</summary>
    public const string Docker = "docker";

    /// <summary>Each job process runs in its own cgroup with <c>memory</c> and <c>cpu</c> limits.</summary>
    public const string Cgroup = "cgroup";

    /// <summary>Not enforced on this node (the reason is in <c>limitsNote</c>).</summary>
    public const string None = "none";
}
