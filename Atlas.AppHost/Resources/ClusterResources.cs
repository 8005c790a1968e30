using Atlas.AppHost.Model;
using Atlas.AppHost.Preflight;
using Atlas.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Atlas.AppHost.Resources;

/// <summary>
/// Turns the <see cref="ClusterModel"/> (the services and the variables each one gets) into Aspire
/// resources: for a run, Redis and the built service binaries as local processes under DCP; for
/// publishing, the Redis container and project resources.
/// </summary>
internal static class ClusterResources
{
    private const string RedisHealthCheck = "redis-ping";

    /// <summary>Redis's data in deployments (a named volume in compose).</summary>
    public const string RedisDataVolume = "redis-data";

    // Set by WithReference(redis), WithOtlpExporter() or an endpoint instead, or local to this machine.
    private static readonly string[] LocalOnly = ["ConnectionStrings__redis", "OTEL_SERVICE_NAME", "ASPNETCORE_URLS", "HOST_ADDRESS"];

    /// <summary>The cluster on this machine.</summary>
    public static void AddLocalCluster(this IDistributedApplicationBuilder builder, ClusterModel model, PreflightResult preflight, string repoRoot)
    {
        var redisSpec = model.Redis;
        builder.Services.AddHealthChecks().AddCheck(RedisHealthCheck, new RedisPingHealthCheck(redisSpec.Port, model.RedisPassword));
        var redis = builder.AddResource(new RedisExecutableResource(redisSpec.Name, preflight.Redis.FileName, repoRoot, model.RedisPassword))
            .WithArgs([.. preflight.Redis.Arguments])
            .WithEndpoint(port: redisSpec.Port, targetPort: redisSpec.Port, scheme: "tcp", name: RedisExecutableResource.EndpointName, isProxied: false)
            .WithHealthCheck(RedisHealthCheck);

        var keycloak = model.Resources.FirstOrDefault(r => r.Kind == ResourceKind.Keycloak) is { } keycloakSpec
            ? builder.AddKeycloak(keycloakSpec, model.ClusterId, Path.Combine(repoRoot, "keycloak"), model.Dashboard.Url)
            : null;

        var built = typeof(ClusterResources).Assembly;
        IResourceBuilder<ExecutableResource>? gateway = null;
        foreach (var spec in model.Resources.Where(r => r.Project is not null))
        {
            // The built binary, not `dotnet run`: it stops on SIGTERM (see ../shared/ASPIRE.md).
            var binary = Path.ChangeExtension(AtlasBuildInfo.ProjectDll(built, spec.Project!), null);
            var service = builder.AddExecutable(spec.Name, binary, Path.GetDirectoryName(binary)!)
                .WithHttpEndpoint(port: spec.Port, targetPort: spec.Port, isProxied: false)
                .WithOtlpExporter()
                .WithHttpHealthCheck("/health")
                .WithAtlasSettings(builder.Configuration);
            if (spec.Kind == ResourceKind.Dashboard)
            {
                // It needs the gateway only; trace links point at this run's Aspire dashboard.
                service.WaitFor(gateway!).WithUrlForEndpoint("http", u => u.DisplayText = "Atlas dashboard");
                if (builder.Configuration["ASPNETCORE_URLS"] is { Length: > 0 } aspire)
                {
                    service.WithEnvironment("Atlas__Dashboard__TracesUrl", aspire.Split(';')[0]);
                }
            }
            else
            {
                service.WithReference(redis).WaitFor(redis);
            }
            if (spec.Kind == ResourceKind.Gateway)
            {
                gateway = service;
            }
            foreach (var (key, value) in spec.Environment.Where(e => e.Key != "ConnectionStrings__redis"))
            {
                service.WithEnvironment(key, value);
            }
            if (keycloak is not null)
            {
                service.WaitFor(keycloak);
            }
        }
    }

    /// <summary>The cluster for a manifest (azd): Aspire's Redis container and project resources wired by reference.</summary>
    public static void AddPublishedCluster(this IDistributedApplicationBuilder builder, ClusterModel model)
    {
        // Aspire's Redis: requirepass from the generated secret parameter redis-password.
        var redis = builder.AddRedis(model.Redis.Name, port: model.Redis.Port).WithDataVolume(RedisDataVolume);
        builder.AddTelemetryDashboard();
        // The default only: a deployed host names its dashboard's public URL (docs/DEPLOY.md, Keycloak).
        builder.AddPublishedKeycloak(Path.Combine(AtlasBuildInfo.RepoRoot(typeof(ClusterResources).Assembly), "keycloak"), $"http://localhost:{model.Dashboard.Port}");
        var masters = new List<IResourceBuilder<ProjectResource>>();
        IResourceBuilder<ProjectResource>? gateway = null;
        foreach (var spec in model.Resources.Where(r => r.Project is not null))
        {
            var service = spec.Kind switch
            {
                ResourceKind.Master => builder.AddProject<Projects.Atlas_Master>(spec.Name),
                ResourceKind.Worker => builder.AddProject<Projects.Atlas_Worker>(spec.Name),
                ResourceKind.Dashboard => builder.AddProject<Projects.Atlas_Dashboard>(spec.Name),
                _ => builder.AddProject<Projects.Atlas_Gateway>(spec.Name),
            };
            // Fixed ports, so a deployed host can run several services and output repeats byte for byte.
            service.WithHttpEndpoint(port: spec.Port, targetPort: spec.Port).WithHttpHealthCheck("/health");
            if (spec.Kind != ResourceKind.Dashboard)
            {
                service.WithReference(redis).WaitFor(redis);
            }
            foreach (var (key, value) in spec.Environment.Where(e => !LocalOnly.Contains(e.Key) && !e.Key.StartsWith("services__", StringComparison.Ordinal)))
            {
                service.WithEnvironment(key, value);
            }
            switch (spec.Kind)
            {
                case ResourceKind.Master:
                    masters.Add(service);
                    break;
                case ResourceKind.Worker:
                    service.WithEnvironment("HOST_ADDRESS", service.GetEndpoint("http"));
                    break;
                case ResourceKind.Gateway:
                    service.WithExternalHttpEndpoints();
                    for (var i = 0; i < masters.Count; i++)
                    {
                        service.WithEnvironment($"services__master__http__{i}", masters[i].GetEndpoint("http"));
                    }
                    gateway = service;
                    break;
                case ResourceKind.Dashboard:
                    // The team's web UI: public, and it talks to the gateway only.
                    service.WithExternalHttpEndpoints().WithReference(gateway!).WaitFor(gateway!);
                    break;
                default:
                    break;
            }
        }
    }
}
