using Atlas.AppHost.Orchestration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Atlas.AppHost.Resources;

/// <summary>Healthy once Redis answers <c>PING</c> on its port.</summary>
internal sealed class RedisPingHealthCheck(int port, string? password) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await RedisLauncher.PingAsync(port, cancellationToken, password)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"no PONG on 127.0.0.1:{port}");
}
