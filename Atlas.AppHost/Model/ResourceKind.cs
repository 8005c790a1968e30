namespace Atlas.AppHost.Model;

/// <summary>What a resource of the cluster is.</summary>
public enum ResourceKind
{
    Redis,
    Master,
    Worker,
    Gateway,
}
