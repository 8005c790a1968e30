using Atlas.AppHost.Options;
using Atlas.AppHost.Orchestration;
using Atlas.AppHost.Resources;
using Atlas.Core.Net;

namespace Atlas.AppHost.Preflight;

/// <summary>
/// Everything checked before the app model is built, so that a run that cannot work says why in
/// one line and starts nothing: ports, the Docker Engine, the Keycloak image, Redis.
/// </summary>
internal static class ClusterPreflight
{
    /// <summary>The runtime and Redis to use, or the one line that says why not.</summary>
    public static async Task<(PreflightResult? Result, string? Error)> CheckAsync(
        AppHostOptions options, string repoRoot, DockerProbe docker, CancellationToken cancellationToken)
    {
        var ports = new List<(int Port, string What, string Flag)> { (options.GatewayPort, "gateway", "--port"), (options.RedisPort, "redis", "--redis-port"), (options.DashboardPort, "dashboard", "--dashboard-port") };
        if (options.Auth && options.KeycloakUrl is null)
        {
            ports.Add((options.KeycloakPort, "keycloak", "--keycloak-port"));
        }
        foreach (var (port, what, flag) in ports)
        {
            if (!LoopbackPorts.IsFree(port))
            {
                return (null, $"error: port {port} is already in use ({what}); stop what uses it or pass {flag}");
            }
        }

        var dockerAnswers = await docker.AnswersAsync(cancellationToken);
        var needsDocker = options.Runtime == "docker" || (options.Auth && options.KeycloakUrl is null);
        if (needsDocker && docker.AddressError is not null)
        {
            return (null, $"error: {docker.AddressError}");
        }
        if (options.Runtime == "docker" && !dockerAnswers)
        {
            return (null, $"error: --runtime docker, but no Docker Engine answers at {docker.Address}; start one (sudo dockerd), set DOCKER_HOST, or pass --runtime process");
        }
        if (options.Auth && options.KeycloakUrl is null)
        {
            if (!dockerAnswers)
            {
                return (null, "error: --auth starts Keycloak in Docker, but no Docker Engine answers; start one, or pass --keycloak-url with the issuer URL of an existing Keycloak realm or other OIDC provider");
            }
            if (!await docker.HasImageAsync(KeycloakResource.Image, cancellationToken))
            {
                return (null, $"error: --auth starts Keycloak from the image {KeycloakResource.Image}, which the local Docker Engine does not have (it is not pulled); load it (docker load), or pass --keycloak-url with the issuer URL of an existing Keycloak realm or other OIDC provider");
            }
        }

        var redis = RedisLauncher.Locate(options.RedisPort, Path.Combine(Path.GetFullPath(options.DataDir), "redis"), options.AppendFsync, repoRoot,
            RedisLauncher.FindOnPath, RedisLauncher.RestoreTools, options.RedisPassword);
        if (redis is null)
        {
            return (null, RedisLauncher.NotFound);
        }
        var runtime = options.Runtime ?? (dockerAnswers ? "docker" : "process");
        var warning = docker.AddressError is not null
            ? $"warning: {docker.AddressError} Jobs run as processes."
            : null;
        return (new PreflightResult(runtime, dockerAnswers, redis, warning), null);
    }
}
