using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Atlas.Api.Auth;

/// <summary>
/// The 401 and 403 answers. A 401 says the same whatever was wrong with the token (missing,
/// expired, forged, for another audience): the reason goes to the service's log, never to the caller.
/// </summary>
public static class AuthResponses
{
    public static Task WriteUnauthorizedAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return WriteAsync(context, new ProblemDetails
        {
            Status = StatusCodes.Status401Unauthorized,
            Title = "Authentication required.",
            Detail = "Send a valid access token (Authorization: Bearer ...). With the atlas CLI, run 'atlas login'.",
        });
    }

    public static Task WriteForbiddenAsync(HttpContext context, string role)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteAsync(context, new ProblemDetails
        {
            Status = StatusCodes.Status403Forbidden,
            Title = "Not allowed.",
            Detail = $"Your account does not hold the role '{role}'. Ask an administrator of the identity provider to grant it.",
        });
    }

    private static async Task WriteAsync(HttpContext context, ProblemDetails problem)
    {
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
