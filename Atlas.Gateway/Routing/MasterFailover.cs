using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Atlas.Gateway.Routing;

/// <summary>
/// Part of the proxy pipeline to the masters: when a master cannot be reached (the connection
/// is refused, or a pooled connection to a master that just died breaks) before anything came
/// back, the same request goes to the next master instead of failing, so a client sees a pause,
/// not an error, while the dead master is being marked unhealthy. A body up to
/// <see cref="ReplayableBodyBytes"/> is kept (in memory, then a temp file) so it can be sent
/// again; a larger one is retried only when none of it was read yet.
/// </summary>
internal static class MasterFailover
{
    public const long ReplayableBodyBytes = 64L << 20;
    private const int MemoryBufferBytes = 1 << 20;

    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var proxy = context.GetReverseProxyFeature();
        var candidates = proxy.AvailableDestinations.ToList();
        var request = context.Request;
        if (request.ContentLength is > 0 and <= ReplayableBodyBytes)
        {
            request.EnableBuffering(MemoryBufferBytes);
        }
        var body = new ReadTrackingStream(request.Body);
        request.Body = body;
        while (true)
        {
            await next();
            var error = context.Features.Get<IForwarderErrorFeature>();
            if (error is null || error.Error is not (ForwarderError.Request or ForwarderError.RequestBodyDestination) || context.Response.HasStarted)
            {
                return;
            }
            var failed = proxy.ProxiedDestination;
            candidates.RemoveAll(d => ReferenceEquals(d, failed));
            if (failed is null || candidates.Count == 0 || !Rewind(body))
            {
                return;
            }
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.Clear();
            proxy.AvailableDestinations = candidates.ToArray<DestinationState>();
        }
    }

    private static bool Rewind(ReadTrackingStream body)
    {
        if (body.Inner.CanSeek)
        {
            body.Inner.Position = 0;
            body.Reset();
            return true;
        }
        return !body.AnyRead;
    }
}
