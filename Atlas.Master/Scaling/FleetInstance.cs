namespace Atlas.Master.Scaling;

/// <summary>An EC2 instance as the master sees it: where it is, since when, and its tags.</summary>
public sealed record FleetInstance(string Id, string? PrivateIp, string State, DateTimeOffset LaunchTime, IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>Whether it is one of this cluster's dynamic workers: both tags, exactly. Nothing else is ever terminated.</summary>
    public bool IsDynamicWorkerOf(string clusterId) =>
        Tags.TryGetValue(DynamicWorkerOptions.ClusterTag, out var cluster) && string.Equals(cluster, clusterId, StringComparison.Ordinal)
        && Tags.TryGetValue(DynamicWorkerOptions.RoleTag, out var role) && role == DynamicWorkerOptions.DynamicRole;
}
