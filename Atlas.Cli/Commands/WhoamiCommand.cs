using System.CommandLine;
using Atlas.Cli.Config;

namespace Atlas.Cli.Commands;

/// <summary><c>atlas whoami</c>: which cluster this CLI talks to, and as whom.</summary>
internal static class WhoamiCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var whoami = new Command("whoami", "Show the cluster this CLI talks to and the identity used.");
        CommandAction.Set(whoami, context, async (parse, _) =>
        {
            await context.Out.WriteLineAsync($"cluster: {GatewayResolver.Resolve(context, parse.GetValue(globals.Context))}");
            await context.Out.WriteLineAsync("user:    single-user mode (the cluster runs without login)");
            return 0;
        });
        return whoami;
    }
}
