namespace Atlas.AppHost.Model;

/// <summary>What a resource of the cluster is.</summary>
public enum ResourceKind
{
    Redis,
    Master,
    Worker,
    Gateway,

    /// <summary>The identity provider, a container, with <c>--auth</c> and no <c>--keycloak-url</c>.</summary>
    Keycloak,
}
