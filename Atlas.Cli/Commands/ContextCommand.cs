using System.CommandLine;
using Atlas.Cli.Config;

namespace Atlas.Cli.Commands;

/// <summary><c>atlas context ls | use NAME | set NAME --url URL</c>: the named clusters in <c>~/.atlas/config.yaml</c>.</summary>
internal static class ContextCommand
{
    public static Command Build(CliContext context)
    {
        var ls = new Command("ls", "List the contexts; * marks the current one.");
        CommandAction.Set(ls, context, async (_, _) =>
        {
            var config = CliConfig.Load(context.Home);
            foreach (var (name, entry) in config.Contexts.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                await context.Out.WriteLineAsync($"{(name == config.CurrentContext ? "*" : " ")} {name}  {entry.SchedulerUrl}");
            }
            return 0;
        });

        var useName = new Argument<string>("name");
        var use = new Command("use", "Make a context the current one.") { useName };
        CommandAction.Set(use, context, async (parse, _) =>
        {
            var config = CliConfig.Load(context.Home);
            var name = parse.GetValue(useName)!;
            if (!config.Contexts.ContainsKey(name))
            {
                throw new CliException($"name: no context named '{name}' (see `atlas context ls`)", 2);
            }
            config.CurrentContext = name;
            config.Save(context.Home);
            await context.Out.WriteLineAsync($"using {name}");
            return 0;
        });

        var setName = new Argument<string>("name");
        var url = new Option<string>("--url") { Description = "the gateway's URL, e.g. http://atlas.example:5558", Required = true };
        var set = new Command("set", "Add or change a context.") { setName, url };
        CommandAction.Set(set, context, async (parse, _) =>
        {
            var gateway = GatewayResolver.Parse(parse.GetValue(url)!, "--url");
            var config = CliConfig.Load(context.Home);
            var name = parse.GetValue(setName)!;
            config.Contexts[name] = new CliContextEntry { SchedulerUrl = gateway.ToString().TrimEnd('/') };
            config.CurrentContext ??= name;
            config.Save(context.Home);
            await context.Out.WriteLineAsync($"context {name}: {gateway}");
            return 0;
        });

        return new Command("context", "Manage the named clusters this CLI knows.") { ls, use, set };
    }
}
