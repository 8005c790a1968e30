namespace Atlas.AppHost.Model;

/// <summary>What a resource of the cluster is.</summary>
public enum ResourceKind
{
    Redis,
    Master,
    Worker,
    Gateway,

    /// <summary>The Atlas dashboard, the team's web UI (5555); it talks to the gateway only.</summary>
    Dashboard,

    /// <summary>The identity provider, a container, with <c>--auth</c> and no <c>--keycloak-url</c>.</summary>
    Keycloak,
}
