using System.Text.RegularExpressions;
using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Gateway.Options;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Yarp.ReverseProxy.Forwarder;

namespace Atlas.Gateway.Routing;

/// <summary>
/// Sends the call that needs the node running a job (live logs) straight to that node,
/// found through the job-to-node lookup in Redis (the seed's "distributed scheduler" behaviour).
/// When the job has no node (queued, or finished: the lookup is gone) or the node cannot be
/// reached, the call goes on to the master, which serves the same answers from the shared volume.
/// </summary>
internal sealed partial class JobNodeForwarding(
    RequestDelegate next,
    IHttpForwarder forwarder,
    JobReader store,
    IOptions<GatewayOptions> options,
    ILogger<JobNodeForwarding> logger)
{
    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    public async Task InvokeAsync(HttpContext context)
    {
        var match = NodeCall().Match(context.Request.Path.Value ?? "");
        if (!match.Success || !JobId.IsValid(match.Groups["id"].Value))
        {
            await next(context);
            return;
        }

        var id = match.Groups["id"].Value;
        string? node;
        try
        {
            node = await store.RouteAsync(id, context.RequestAborted);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            node = null; // the master answers without the lookup
        }
        if (node is null)
        {
            await next(context);
            return;
        }

        var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(options.Value.IdleTimeoutSeconds) };
        var error = await forwarder.SendAsync(context, node, _client, config, HttpTransformer.Default);
        if (error != ForwarderError.None && !context.Response.HasStarted)
        {
            Log.NodeUnreachable(logger, id, node, error.ToString());
            context.Response.Clear();
            await next(context);
        }
    }

    [GeneratedRegex("^/api/v1/jobs/(?<id>[^/]+)/logs$", RegexOptions.CultureInvariant)]
    private static partial Regex NodeCall();
}
