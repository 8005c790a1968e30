using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Atlas.AppHost.Options;

namespace Atlas.AppHost.Model;

/// <summary>
/// The cluster as resources, in start order: Redis, the masters, the workers, the gateway, the dashboard, wired
/// with the variables a real Aspire AppHost would set (<c>ConnectionStrings__redis</c>,
/// <c>services__master__http__0</c>, <c>OTEL_SERVICE_NAME</c>) and the seed's <c>HOST_ADDRESS</c>.
/// With <c>--auth</c>, every service gets the same <c>Atlas__Auth__*</c> settings, and Keycloak
/// comes first unless <c>--keycloak-url</c> names an issuer that already runs.
/// </summary>
/// <param name="ClusterId">Names the cluster's containers (see <see cref="ClusterIdFor"/>).</param>
/// <param name="DataDir">Redis data, logs and the shared volume.</param>
/// <param name="Runtime"><c>docker</c> or <c>process</c>.</param>
/// <param name="Resources">What runs, in start order.</param>
/// <param name="Authority">The issuer every service checks tokens against; null in single-user mode.</param>
/// <param name="RedisPassword">Redis's password, in every service's connection string; null: none.</param>
public sealed record ClusterModel(string ClusterId, string DataDir, string Runtime, IReadOnlyList<ResourceSpec> Resources, string? Authority = null, string? RedisPassword = null)
{
    /// <summary>The Keycloak realm every local Keycloak imports.</summary>
    public const string Realm = "atlas";

    public string SharedRoot => Path.Combine(DataDir, "shared");

    public ResourceSpec Gateway => Resources.Single(r => r.Kind == ResourceKind.Gateway);

    public ResourceSpec Dashboard => Resources.Single(r => r.Kind == ResourceKind.Dashboard);

    public ResourceSpec Redis => Resources.Single(r => r.Kind == ResourceKind.Redis);

    /// <summary>Builds the model; <paramref name="freePort"/> gives the internal ports of masters and workers.</summary>
    public static ClusterModel Build(AppHostOptions options, string runtime, Func<int> freePort)
    {
        var data = Path.GetFullPath(options.DataDir);
        var cluster = ClusterIdFor(data);
        var redisUrl = $"127.0.0.1:{options.RedisPort}" + (options.RedisPassword is null ? "" : ",password=" + options.RedisPassword);
        var shared = Path.Combine(data, "shared");
        var resources = new List<ResourceSpec> { new("redis", ResourceKind.Redis, options.RedisPort, new Dictionary<string, string>()) };
        string? authority = null;
        if (options.Auth)
        {
            if (options.KeycloakUrl is null)
            {
                var keycloak = new ResourceSpec("keycloak", ResourceKind.Keycloak, options.KeycloakPort, new Dictionary<string, string>());
                resources.Add(keycloak);
                authority = $"{keycloak.Url}/realms/{Realm}";
            }
            else
            {
                authority = options.KeycloakUrl;
            }
        }

        Dictionary<string, string> Common(string name)
        {
            var env = new Dictionary<string, string>
            {
                ["ConnectionStrings__redis"] = redisUrl,
                ["Atlas__SharedRoot"] = shared,
                ["Atlas__Cluster"] = cluster,
                ["OTEL_SERVICE_NAME"] = name,
            };
            if (authority is not null)
            {
                env["Atlas__Auth__Enabled"] = "true";
                env["Atlas__Auth__Authority"] = authority;
            }
            return env;
        }

        var masters = new List<ResourceSpec>();
        for (var i = 1; i <= options.Masters; i++)
        {
            var name = options.Masters == 1 ? "master" : $"master-{i}";
            var port = freePort();
            var env = Common(name);
            env["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            env["Atlas__Master__Name"] = name;
            masters.Add(new ResourceSpec(name, ResourceKind.Master, port, env));
        }
        resources.AddRange(masters);

        for (var i = 1; i <= options.Workers; i++)
        {
            var name = $"worker-{i}";
            var port = freePort();
            var env = Common(name);
            env["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            env["HOST_ADDRESS"] = $"http://127.0.0.1:{port}";
            env["Atlas__Worker__Name"] = name;
            env["Atlas__Worker__Slots"] = options.Slots.ToString(CultureInfo.InvariantCulture);
            env["Atlas__Worker__Runtime"] = runtime;
            if (options.GpusPerWorker > 0)
            {
                // Declared, not detected: every worker gets its own ids 0..N-1, for demos and tests without a GPU.
                env["Atlas__Worker__Gpus"] = string.Join(',', Enumerable.Range(0, options.GpusPerWorker));
            }
            // Ctrl+C should not wait long: jobs still running after 2 s go back to the queue.
            if (System.Environment.GetEnvironmentVariable("Atlas__Worker__DrainGraceSeconds") is null)
            {
                env["Atlas__Worker__DrainGraceSeconds"] = "2";
            }
            resources.Add(new ResourceSpec(name, ResourceKind.Worker, port, env));
        }

        var gateway = Common("gateway");
        gateway.Remove("Atlas__SharedRoot");
        gateway["ASPNETCORE_URLS"] = $"http://127.0.0.1:{options.GatewayPort}";
        for (var i = 0; i < masters.Count; i++)
        {
            gateway[$"services__master__http__{i}"] = masters[i].Url;
        }
        var gatewaySpec = new ResourceSpec("gateway", ResourceKind.Gateway, options.GatewayPort, gateway);
        resources.Add(gatewaySpec);

        // The dashboard reaches nothing but the gateway: no Redis, no shared volume, no auth
        // settings (the browser logs in and the gateway checks its token).
        var dashboard = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{options.DashboardPort}",
            ["OTEL_SERVICE_NAME"] = "dashboard",
            ["services__gateway__http__0"] = gatewaySpec.Url,
        };
        resources.Add(new ResourceSpec("dashboard", ResourceKind.Dashboard, options.DashboardPort, dashboard));

        return new ClusterModel(cluster, data, runtime, resources, authority, options.RedisPassword);
    }

    /// <summary>
    /// A cluster's id follows from its data folder, so two clusters on one machine (different
    /// data folders) never touch each other's containers, and a rerun finds its own leftovers.
    /// </summary>
    public static string ClusterIdFor(string dataDir) =>
        "atlas-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(dataDir))))[..8];
}
