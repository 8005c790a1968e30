using System.CommandLine;
using Atlas.Cli.Config;

namespace Atlas.Cli.Commands.Deploy;

/// <summary><c>atlas deploy aws down</c>: deletes the cluster's stack (its bucket emptied first) and the CLI's context for it.</summary>
internal static class AwsDownCommand
{
    public static Command Build(CliContext context) =>
        AwsOptions.ClusterVerb("down", "Delete the cluster: every instance, volume, bucket and network the stack made.", context, async (parse, aws, name, cancellationToken) =>
        {
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
        });
}
