using System.CommandLine;
using Atlas.Cli.Api;
using Atlas.Cli.Auth;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas login [--context NAME] [--client-id ID --client-secret SECRET]</c>: asks the gateway
/// which identity provider it trusts, logs in there (device flow for a person, client credentials
/// for a bot) and keeps the session under <c>~/.atlas/sessions/</c>.
/// </summary>
internal static class LoginCommand
{
    /// <summary>Where a bot's secret may come from instead of the command line (which other users can see in <c>ps</c>).</summary>
    public const string SecretVariable = "ATLAS_CLIENT_SECRET";

    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var clientId = new Option<string?>("--client-id") { Description = "log in as this client with client credentials (for CI bots) instead of as a person" };
        var clientSecret = new Option<string?>("--client-secret") { Description = $"the client's secret (with --client-id); better: set {SecretVariable}" };
        var login = new Command("login", "Log in to the cluster: a person with a code approved in the browser, a bot with --client-id.") { clientId, clientSecret };
        CommandAction.Set(login, context, async (parse, cancellationToken) =>
        {
            var id = parse.GetValue(clientId);
            var secretText = parse.GetValue(clientSecret);
            if (id is null && secretText is not null)
            {
                throw new CliException("--client-secret: give --client-id with it", 2);
            }
            var secret = id is null ? null : new ClientSecret(id,
                secretText ?? NonEmpty(context.Environment(SecretVariable))
                ?? throw new CliException($"--client-secret: required with --client-id (or set {SecretVariable})", 2));

            var target = globals.Target(parse, context);
            AuthConfig config;
            using (var api = new AtlasApiClient(target.Url, context.Handler))
            {
                config = await ReadConfigAsync(api, cancellationToken);
            }
            if (config.Mode == AuthConfig.SingleUser)
            {
                await context.Out.WriteLineAsync($"The cluster at {target.Url} runs in single-user mode: no login is needed.");
                return 0;
            }
            if (config.Mode != AuthConfig.Oidc || string.IsNullOrWhiteSpace(config.Authority))
            {
                throw new CliException($"the gateway at {target.Url} asks for login mode '{config.Mode}' without an authority this CLI can use");
            }

            using var oidc = new OidcClient();
            var metadata = await oidc.DiscoverAsync(config.Authority, cancellationToken);
            var session = secret is null
                ? await LoginFlow.DeviceAsync(context, target, config, oidc, metadata, cancellationToken)
                : await LoginFlow.ClientCredentialsAsync(context, target, config, oidc, metadata, secret, cancellationToken);
            SessionStore.Save(context.Home, target, session);

            var claims = AccessTokenClaims.Read(session.AccessToken);
            var who = claims.Username ?? claims.Subject ?? session.ClientId;
            var roles = claims.Roles.Count == 0 ? "none" : string.Join(", ", claims.Roles);
            await context.Out.WriteLineAsync($"Logged in to {target.Label} as {who} (roles: {roles}).");
            await context.Out.WriteLineAsync(secret is null
                ? $"The session is kept in {SessionStore.PathFor(context.Home, target)} (readable only by you) and renews itself; 'atlas logout' ends it."
                : $"The token and the client secret are kept in {SessionStore.PathFor(context.Home, target)} (readable only by you), to ask for new tokens; 'atlas logout' deletes them.");
            return 0;
        });
        return login;
    }

    /// <summary>The gateway's login settings; a gateway older than login (no such endpoint) runs single-user.</summary>
    public static async Task<AuthConfig> ReadConfigAsync(AtlasApiClient api, CancellationToken cancellationToken)
    {
        try
        {
            return await api.GetAuthConfigAsync(cancellationToken);
        }
        catch (AtlasApiException ex) when (ex.Status == 404)
        {
            return new AuthConfig { Mode = AuthConfig.SingleUser };
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
