using System.CommandLine;
using Atlas.Cli.Commands;
using Atlas.Cli.Commands.Deploy;

namespace Atlas.Cli;

/// <summary>The <c>atlas</c> root command and its verbs.</summary>
public static class AtlasCli
{
    public static RootCommand Build(CliContext context)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("Atlas: run your project on the team's cluster, follow its logs, manage jobs.");
        root.Options.Add(globals.Output);
        root.Options.Add(globals.Context);
        foreach (var command in new[]
        {
            SubmitCommand.Build(globals, context),
            ScheduleCommand.Build(globals, context),
            ListCommand.Build(globals, context),
            StatusCommand.Build(globals, context),
            LogsCommand.Build(globals, context),
            StopCommand.Build(globals, context),
            RemoveCommand.Build(globals, context),
            NodesCommand.Build(globals, context),
            QueueCommand.Build(globals, context),
            PriorityCommand.Build(globals, context),
            MetricsCommand.Build(globals, context),
            CompareCommand.Build(globals, context),
            ArtifactsCommand.Build(globals, context),
            InitCommand.Build(globals, context),
            ContextCommand.Build(context),
            LoginCommand.Build(globals, context),
            LogoutCommand.Build(globals, context),
            WhoamiCommand.Build(globals, context),
            DeployCommand.Build(context),
        })
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    public static Task<int> RunAsync(string[] args, CliContext context) =>
        Build(context).Parse(args).InvokeAsync(new InvocationConfiguration { Output = context.Out, Error = context.Error });
}
