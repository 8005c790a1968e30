using Atlas.Dashboard.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Atlas.Dashboard.Proxy;

/// <summary>
/// <c>/api</c> goes to the gateway unchanged, the browser's <c>Authorization</c> header included,
/// so every call is checked (owner, admin) exactly as the CLI's are; the dashboard holds no token of its own.
/// </summary>
internal static class GatewayRoutes
{
    public const string ClusterId = "gateway";

    public static RouteConfig[] Routes() =>
        [new RouteConfig { RouteId = "api", ClusterId = ClusterId, Match = new RouteMatch { Path = "/api/{**rest}" } }];

    public static ClusterConfig[] Clusters(DashboardOptions options) =>
    [
        new ClusterConfig
        {
            ClusterId = ClusterId,
            // Streams (followed logs, SSE) stay open while the job runs.
            HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(options.IdleTimeoutSeconds) },
            Destinations = new Dictionary<string, DestinationConfig> { ["gateway"] = new() { Address = "http://gateway" } },
        },
    ];
}
