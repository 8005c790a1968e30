using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Atlas.Gateway.Routing;

/// <summary>
/// Part of the proxy pipeline to the masters: when a master cannot be reached at all (the
/// connection fails before anything is sent back), the same request goes to the next master
/// instead of failing, so a client sees a pause, not an error, while a dead master is being
/// marked unhealthy. A request with a body is retried only when none of it was read yet
/// (a refused connection fails before the upload starts); a half-sent upload is not replayed.
/// </summary>
internal static class MasterFailover
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var proxy = context.GetReverseProxyFeature();
        var candidates = proxy.AvailableDestinations.ToList();
        var body = new ReadTrackingStream(context.Request.Body);
        context.Request.Body = body;
        while (true)
        {
            await next();
            var error = context.Features.Get<IForwarderErrorFeature>();
            if (error is null || error.Error != ForwarderError.Request || context.Response.HasStarted || body.AnyRead)
            {
                return;
            }
            var failed = proxy.ProxiedDestination;
            candidates.RemoveAll(d => ReferenceEquals(d, failed));
            if (failed is null || candidates.Count == 0)
            {
                return;
            }
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.Clear();
            proxy.AvailableDestinations = candidates.ToArray<DestinationState>();
        }
    }
}
