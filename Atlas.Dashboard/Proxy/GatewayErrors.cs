using Microsoft.AspNetCore.Mvc;
using Yarp.ReverseProxy.Forwarder;

namespace Atlas.Dashboard.Proxy;

/// <summary>
/// When the gateway cannot be reached (it is down, restarting, or refuses the connection), the
/// proxy would answer a bare 502. The page shows the reason instead: a ProblemDetails that says
/// which part of the cluster is missing.
/// </summary>
internal static class GatewayErrors
{
    public static async Task ExplainAsync(HttpContext context, Func<Task> next)
    {
        await next();
        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is null || context.Response.HasStarted)
        {
            return;
        }
        var (status, detail) = error.Error switch
        {
            ForwarderError.RequestTimedOut => (StatusCodes.Status504GatewayTimeout, "The Atlas gateway did not answer in time. Try again in a moment."),
            ForwarderError.RequestCanceled => (499, "The request was cancelled."),
            _ => (StatusCodes.Status502BadGateway,
                "The dashboard could not reach the Atlas gateway, the cluster's API. It may be starting or down: check the cluster (the Aspire dashboard shows each service's state)."),
        };
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = "The cluster's API is not reachable.", Detail = detail },
        });
    }
}
