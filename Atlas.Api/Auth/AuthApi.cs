using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Atlas.Api.Auth;

/// <summary>
/// <c>/api/v1/auth/config</c> (open: where to log in) and <c>/api/v1/me</c> (who the token says
/// you are). The gateway answers both itself; the master too, for callers that reach it directly.
/// </summary>
public static class AuthApi
{
    public const string ConfigPath = "/api/v1/auth/config";
    public const string MePath = "/api/v1/me";
    public const string SingleUserMode = "single-user";
    public const string OidcMode = "oidc";

    /// <summary>The scopes the CLI asks for: a refresh token that outlives the short access token.</summary>
    public const string CliScopes = "openid offline_access";

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(ConfigPath, GetConfig).WithTags("Auth").WithSummary("How to log in: single-user mode, or the OpenID Connect provider to use.");
        app.MapGet(MePath, GetMe).WithTags("Auth").WithSummary("The caller: subject, name, roles and whether they are an admin.");
        return app;
    }

    public static Ok<AuthConfigView> GetConfig(IOptions<AtlasAuthOptions> options)
    {
        var o = options.Value;
        return TypedResults.Ok(o.Enabled
            ? new AuthConfigView(OidcMode, o.Authority!.TrimEnd('/'), o.Audience, o.CliClientId, CliScopes)
            : new AuthConfigView(SingleUserMode));
    }

    public static Ok<MeView> GetMe(Caller caller) =>
        TypedResults.Ok(new MeView(caller.Subject, caller.Username, caller.Roles, caller.IsAdmin, caller.SingleUser ? SingleUserMode : OidcMode));
}
