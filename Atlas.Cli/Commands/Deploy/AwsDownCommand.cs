using System.CommandLine;
using Atlas.Cli.Config;

namespace Atlas.Cli.Commands.Deploy;

/// <summary><c>atlas deploy aws down</c>: deletes the cluster's stack (its bucket emptied first) and the CLI's context for it.</summary>
internal static class AwsDownCommand
{
    public static Command Build(CliContext context)
    {
        var aws = new AwsOptions();
        var clusterId = aws.ClusterId(required: true);
        var down = new Command("down", "Delete the cluster: every instance, volume, bucket and network the stack made.") { clusterId };
        aws.AddTo(down);
        CommandAction.Set(down, context, (parse, cancellationToken) => AwsOptions.RunAsync(async () =>
        {
            var name = AwsOptions.CheckedClusterId(parse.GetValue(clusterId)!);
            if (!await aws.Deployer(parse, context).DownAsync(name, cancellationToken))
            {
                throw new CliException($"--cluster-id: no cluster named {name} (atlas deploy aws list)");
            }
            await context.Out.WriteLineAsync($"deleted {name}");
            var config = CliConfig.Load(context.Home);
            if (config.Contexts.Remove(name))
            {
                if (config.CurrentContext == name)
                {
                    config.CurrentContext = null;
                }
                config.Save(context.Home);
                await context.Out.WriteLineAsync($"removed context {name}");
            }
            return 0;
        }));
        return down;
    }
}
