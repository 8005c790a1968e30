using Atlas.Gateway.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Atlas.Gateway.Routing;

/// <summary>The YARP routes: the API and its OpenAPI document go to the masters.</summary>
internal static class MasterRoutes
{
    public const string ClusterId = "masters";

    /// <summary>The masters by service name, resolved from <c>services__master__http__N</c>.</summary>
    public const string MasterAddress = "http://master";

    public static RouteConfig[] Routes() =>
    [
        new RouteConfig { RouteId = "api", ClusterId = ClusterId, Match = new RouteMatch { Path = "/api/{**rest}" } },
        new RouteConfig { RouteId = "openapi", ClusterId = ClusterId, Match = new RouteMatch { Path = "/openapi/{**rest}" } },
    ];

    public static ClusterConfig[] Clusters(GatewayOptions options) =>
    [
        new ClusterConfig
        {
            ClusterId = ClusterId,
            // Every master serves the API (the store is Redis), so any healthy one will do: the
            // first healthy one answers, and a master that stops answering is skipped within a
            // health-check interval (active) or at once on connection failures (passive).
            LoadBalancingPolicy = FirstInOrderPolicy.PolicyName,
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = TimeSpan.FromSeconds(1),
                    Timeout = TimeSpan.FromSeconds(1),
                    Policy = "ConsecutiveFailures",
                    Path = "/alive",
                },
                Passive = new PassiveHealthCheckConfig
                {
                    Enabled = true,
                    Policy = "TransportFailureRate",
                    ReactivationPeriod = TimeSpan.FromSeconds(5),
                },
            },
            Metadata = new Dictionary<string, string> { ["ConsecutiveFailuresHealthPolicy.Threshold"] = "1" },
            HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(options.IdleTimeoutSeconds) },
            // One destination: service discovery turns it into one per master address.
            Destinations = new Dictionary<string, DestinationConfig> { ["master"] = new() { Address = MasterAddress } },
        },
    ];
}
