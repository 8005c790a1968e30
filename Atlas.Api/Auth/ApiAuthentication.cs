using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Atlas.Api.Auth;

/// <summary>
/// Asks every call for a valid bearer token when auth is on, before anything else (the gateway's
/// forwarding to nodes included) sees it. Only <see cref="OpenPaths"/> stay open: <c>/health</c>,
/// <c>/alive</c>, <c>/openapi/v1.json</c> and <c>/api/v1/auth/config</c> (where the CLI learns
/// where to log in). Closed unless listed, so an odd spelling of a path (<c>//api</c>) cannot slip past.
/// The gateway, the master and each worker all run it: a call that reaches a service directly is
/// checked the same way as one through the gateway.
/// </summary>
internal sealed class ApiAuthentication(RequestDelegate next, IOptions<AtlasAuthOptions> options)
{
    /// <summary>The paths answered without a token.</summary>
    public static readonly IReadOnlyList<string> OpenPaths = ["/health", "/alive", "/openapi/v1.json", AuthApi.ConfigPath];

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (OpenPaths.Any(open => path.Equals(open, StringComparison.OrdinalIgnoreCase)))
        {
            await next(context);
            return;
        }
        var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        if (!result.Succeeded)
        {
            await context.ChallengeAsync(JwtBearerDefaults.AuthenticationScheme);
            return;
        }
        context.User = result.Principal;
        // Who am I stays answerable without the user role, so a user can see what they lack.
        if (!Caller.From(result.Principal, options.Value).MayUseApi(options.Value) &&
            !path.Equals(AuthApi.MePath, StringComparison.OrdinalIgnoreCase))
        {
            await AuthResponses.WriteForbiddenAsync(context, options.Value.UserRole);
            return;
        }
        await next(context);
    }
}
