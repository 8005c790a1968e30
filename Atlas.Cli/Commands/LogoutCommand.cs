using System.CommandLine;
using Atlas.Cli.Auth;

namespace Atlas.Cli.Commands;

/// <summary><c>atlas logout [--context NAME]</c>: revokes the refresh token where the provider can, and forgets the session.</summary>
internal static class LogoutCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var logout = new Command("logout", "Log out: revoke the session at the identity provider and delete its tokens here.");
        CommandAction.Set(logout, context, async (parse, cancellationToken) =>
        {
            var target = globals.Target(parse, context);
            var session = SessionStore.Load(context.Home, target);
            if (session?.RefreshToken is { } refresh && session.RevocationEndpoint is { } endpoint)
            {
                // Best effort: the tokens are forgotten here whatever the provider says.
                try
                {
                    using var oidc = new OidcClient();
                    if (!await oidc.RevokeAsync(endpoint, refresh, "refresh_token", session.ClientId, null, cancellationToken))
                    {
                        await context.Error.WriteLineAsync($"warning: the identity provider did not revoke the session; its tokens are deleted here anyway");
                    }
                }
                catch (CliException ex)
                {
                    await context.Error.WriteLineAsync($"warning: {ex.Message}; the tokens are deleted here anyway");
                }
            }
            await context.Out.WriteLineAsync(SessionStore.Delete(context.Home, target)
                ? $"Logged out of {target.Label}."
                : $"Not logged in to {target.Label}.");
            return 0;
        });
        return logout;
    }
}
