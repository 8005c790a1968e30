using System.CommandLine;
using Atlas.Cli.Api;
using Atlas.Cli.Auth;
using Atlas.Cli.Output;

namespace Atlas.Cli.Commands;

/// <summary><c>atlas whoami</c>: which cluster this CLI talks to, as whom, with which roles, until when.</summary>
internal static class WhoamiCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var whoami = new Command("whoami", "Show the cluster this CLI talks to, the user and roles it acts as, and when the token expires.");
        CommandAction.Set(whoami, context, async (parse, cancellationToken) =>
        {
            var target = globals.Target(parse, context);
            var json = parse.GetValue(globals.Output) == OutputFormat.Json;
            AuthConfig config;
            using (var api = new AtlasApiClient(target.Url, context.Handler))
            {
                config = await LoginCommand.ReadConfigAsync(api, cancellationToken);
            }
            var cluster = target.ContextName is null ? target.Url.ToString() : $"{target.Url} (context {target.ContextName})";
            if (config.Mode == AuthConfig.SingleUser)
            {
                if (json)
                {
                    JsonOutput.Write(context.Out, new { cluster = target.Url, context = target.ContextName, mode = config.Mode });
                    return 0;
                }
                CliConsole.Write(context, Fields.Create()
                    .Field("cluster", cluster)
                    .Field("mode", "single-user (the cluster runs without login)"));
                return 0;
            }
            if (SessionStore.Load(context.Home, target) is null)
            {
                var where = target.ContextName is null ? target.Label : $"{target.Label} ({target.Url})";
                throw new CliException($"not logged in to {where}: run 'atlas login'");
            }

            MeView me;
            using (var api = GlobalOptions.Client(target, context))
            {
                me = await api.GetMeAsync(cancellationToken); // renews the token first when it is due
            }
            var session = SessionStore.Load(context.Home, target)!;
            var renewal = session.Grant == Session.ClientCredentialsGrant
                ? "renewed with the client secret when due"
                : "renewed with the refresh token when due";
            if (json)
            {
                JsonOutput.Write(context.Out, new
                {
                    cluster = target.Url, context = target.ContextName, mode = config.Mode, authority = session.Authority,
                    user = me.Username, sub = me.Sub, roles = me.Roles, admin = me.Admin, expiresAt = session.ExpiresAt, grant = session.Grant,
                });
                return 0;
            }
            var now = context.Time.GetUtcNow();
            CliConsole.Write(context, Fields.Create()
                .Field("cluster", cluster)
                .Field("mode", $"{config.Mode} ({session.Authority})")
                .Field("user", me.Username ?? me.Sub ?? "-")
                .Field("roles", $"{(me.Roles.Count == 0 ? "-" : string.Join(", ", me.Roles))}{(me.Admin ? " (admin: sees every job)" : "")}")
                .Field("expires", $"{Formats.Time(session.ExpiresAt)} (in {Formats.Duration(now, session.ExpiresAt, now)}; {renewal})"));
            return 0;
        });
        return whoami;
    }
}
