using Atlas.Core.Containers;
using Docker.DotNet;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Atlas.Worker.Runtime;

/// <summary>A docker node is only ready while its Docker Engine answers.</summary>
internal sealed class DockerHealthCheck(IOptions<DockerRuntimeOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var endpoint = DockerAddress.Resolve(options.Value.Endpoint);
        using var docker = DockerEngine.Connect(options.Value.Endpoint);
        try
        {
            await docker.System.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or TimeoutException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return HealthCheckResult.Unhealthy($"The Docker Engine at {endpoint} does not answer: {e.Message}");
        }
    }
}
