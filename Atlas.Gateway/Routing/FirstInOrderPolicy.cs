using Atlas.Gateway.Options;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Atlas.Gateway.Routing;

/// <summary>
/// The first available master in the order the configuration lists them
/// (<c>services__master__http__0</c> first). YARP's FirstAlphabetical would sort by destination id,
/// which the resolver derives from the address, and the resolved destinations come in no
/// guaranteed order: either way a standby could be preferred.
/// </summary>
internal sealed class FirstInOrderPolicy(IConfiguration configuration) : ILoadBalancingPolicy
{
    public const string PolicyName = "FirstInOrder";

    private readonly IReadOnlyList<string> _order = [.. configuration.GetSection(GatewayOptions.MastersSection).GetChildren()
        .OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue)
        .Select(c => Authority(c.Value))];

    public string Name => PolicyName;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        DestinationState? best = null;
        var bestRank = int.MaxValue;
        foreach (var destination in availableDestinations)
        {
            var rank = IndexOf(Authority(destination.Model.Config.Address));
            if (best is null || rank < bestRank)
            {
                (best, bestRank) = (destination, rank);
            }
        }
        return best;
    }

    private int IndexOf(string authority)
    {
        for (var i = 0; i < _order.Count; i++)
        {
            if (string.Equals(_order[i], authority, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return int.MaxValue;
    }

    private static string Authority(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Authority : url ?? "";
}
