using System.Globalization;
using Atlas.Deploy.Aws.Clusters;

namespace Atlas.AppHost.Publishing.Ec2;

/// <summary>
/// The EC2 description of the app model, from the services <see cref="ServiceCatalog"/> found in it
/// (as compose and bare metal use them): one static worker host per worker service, its slots, the
/// shared root, the ports the bare-metal bundle's services listen on, and each role's own <c>Atlas__…</c> settings, without
/// what a node sets for itself at boot (its name, address, Redis, the shared root, the cluster id).
/// </summary>
internal static class Ec2ClusterDescription
{
    private static readonly HashSet<string> SetAtBoot = new(StringComparer.Ordinal)
    {
        "Atlas__SharedRoot", "Atlas__Cluster", "Atlas__Master__Name", "Atlas__Worker__Name", "Atlas__Worker__Slots",
    };

    public static ClusterDescription From(IReadOnlyList<DeployableService> services)
    {
        var workers = services.Where(s => s.Role == ServiceRole.Worker).ToList();
        var masters = services.Where(s => s.Role == ServiceRole.Master).ToList();
        var slots = workers.Select(w => Plain(w, "Atlas__Worker__Slots")).FirstOrDefault(s => s is not null) is { } text &&
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 2;
        var sharedRoot = services.Select(s => Plain(s, "Atlas__SharedRoot")).FirstOrDefault(r => r is not null && r.StartsWith('/'))
            ?? ClusterDescription.DefaultSharedRoot;
        var defaults = new ClusterPorts();
        var ports = new ClusterPorts(
            Gateway: Listens(services.Where(s => s.Role == ServiceRole.Gateway), "http") ?? defaults.Gateway,
            Dashboard: Listens(services.Where(s => s.Assembly == "Atlas.Dashboard"), "http") ?? defaults.Dashboard,
            Keycloak: defaults.Keycloak, // HTTPS on 8443 on EC2, whatever the local model uses
            Redis: Listens(services.Where(s => s.Role == ServiceRole.Redis), null) ?? defaults.Redis,
            Master: Listens(masters, "http") ?? defaults.Master,
            Worker: Listens(workers, "http") ?? defaults.Worker,
            Otlp: Listens(services.Where(s => s.Role == ServiceRole.Telemetry), "otlp") ?? defaults.Otlp);
        return new ClusterDescription([.. workers.Select(w => w.Name)], slots, sharedRoot, ports, Settings(masters), Settings(workers));
    }

    // Only plain values: references ({redis.connectionString}, parameters) are wired at boot instead.
    private static SortedDictionary<string, string> Settings(IEnumerable<DeployableService> services)
    {
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            foreach (var (key, _) in service.Environment.Where(e => e.Key.StartsWith("Atlas__", StringComparison.Ordinal) && !SetAtBoot.Contains(e.Key)))
            {
                if (Plain(service, key) is { } value)
                {
                    settings[key] = value;
                }
            }
        }
        return settings;
    }

    private static string? Plain(DeployableService service, string key) =>
        service.Variable(key) is { } value && value.Parts.All(p => p.Kind == ValuePartKind.Literal) ? value.Render(_ => "") : null;

    // Where it is reached on its host: nodes run the bare-metal bundle, whose services listen on the
    // published ports (Redis on 5556, not its container's 6379).
    private static int? Listens(IEnumerable<DeployableService> services, string? endpoint) =>
        services.SelectMany(s => s.Endpoints).FirstOrDefault(e => endpoint is null || e.Name == endpoint)?.Port;
}
