using Yarp.ReverseProxy.Forwarder;

namespace Atlas.Gateway.Routing;

/// <summary>
/// Outermost step of the proxy pipeline to the masters: when no master could answer (none
/// healthy, every one refused, or one timed out) and nothing was sent back yet, the caller gets a
/// ProblemDetails that says why, with YARP's status (502, 503 or 504), instead of an empty body.
/// </summary>
internal static class ProxyErrorProblems
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        await next();
        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is null || context.Response.HasStarted)
        {
            return;
        }
        var status = context.Response.StatusCode >= 500 ? context.Response.StatusCode : StatusCodes.Status502BadGateway;
        context.Response.Clear();
        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = status,
                Title = "No master answered.",
                Detail = Reason(error.Error),
            },
        });
    }

    private static string Reason(ForwarderError error) => error switch
    {
        ForwarderError.NoAvailableDestinations => "No master is healthy right now; try again shortly.",
        ForwarderError.RequestTimedOut => "The master did not answer in time.",
        ForwarderError.Request or ForwarderError.RequestCreation => "No master could be reached (the connection failed).",
        _ => $"The call to the master failed ({error}).",
    };
}
