using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Atlas.Gateway.Routing;

/// <summary>
/// The first available master in the order service discovery lists them
/// (<c>services__master__http__0</c> first). YARP's FirstAlphabetical would sort by destination id,
/// which the resolver derives from the address, so a standby could be preferred by its port.
/// </summary>
internal sealed class FirstInOrderPolicy : ILoadBalancingPolicy
{
    public const string PolicyName = "FirstInOrder";

    public string Name => PolicyName;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations) =>
        availableDestinations.Count == 0 ? null : availableDestinations[0];
}
