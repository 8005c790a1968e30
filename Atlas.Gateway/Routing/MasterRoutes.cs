using Atlas.Gateway.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Atlas.Gateway.Routing;

/// <summary>The YARP routes: the API and its OpenAPI document go to the masters.</summary>
internal static class MasterRoutes
{
    public const string ClusterId = "masters";

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
            // The first master answers while it is up; later issues make this follow the active one.
            LoadBalancingPolicy = "FirstAlphabetical",
            HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(options.IdleTimeoutSeconds) },
            Destinations = options.Masters.Select((url, i) => (url, i))
                .ToDictionary(m => $"master-{m.i}", m => new DestinationConfig { Address = m.url }),
        },
    ];
}
