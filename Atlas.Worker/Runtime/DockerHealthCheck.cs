using Atlas.Core.Docker;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Atlas.Worker.Runtime;

/// <summary>A docker node is only ready while its Docker Engine answers.</summary>
internal sealed class DockerHealthCheck(IOptions<DockerRuntimeOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var endpoint = DockerEndpoint.Resolve(options.Value.Endpoint);
        using var docker = new DockerClient(endpoint);
        return await docker.PingAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"The Docker Engine at {endpoint.Address} does not answer.");
    }
}
