namespace Atlas.AppHost.Model;

/// <summary>
/// One resource of the cluster: what runs, where it listens and how it is wired. The same model
/// could be written out as compose or EC2 manifests; <c>run</c> starts it as local processes.
/// </summary>
/// <param name="Name">Unique name, used to prefix its log lines (<c>worker-1</c>).</param>
/// <param name="Kind">What it is.</param>
/// <param name="Port">Where it listens on loopback.</param>
/// <param name="Environment">Its wiring, in Aspire's variable names.</param>
public sealed record ResourceSpec(string Name, ResourceKind Kind, int Port, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>Its base URL (<c>http://127.0.0.1:port</c>; for Redis, its connection string).</summary>
    public string Url => Kind switch
    {
        ResourceKind.Redis => $"127.0.0.1:{Port}",
        // Keycloak names itself in tokens after the host it was reached by; the CLI and the
        // services must use the same one.
        ResourceKind.Keycloak => $"http://localhost:{Port}",
        _ => $"http://127.0.0.1:{Port}",
    };

    /// <summary>The .NET project that runs it, or null for Redis.</summary>
    public string? Project => Kind switch
    {
        ResourceKind.Master => "Atlas.Master",
        ResourceKind.Worker => "Atlas.Worker",
        ResourceKind.Gateway => "Atlas.Gateway",
        ResourceKind.Dashboard => "Atlas.Dashboard",
        _ => null,
    };
}
