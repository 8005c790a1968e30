using System.CommandLine;
using Atlas.Deploy.Aws.Templates;

namespace Atlas.Cli.Commands.Deploy;

/// <summary><c>atlas deploy aws status</c>: the stack's state, why it failed, its URLs, and whether its Atlas is this CLI's.</summary>
internal static class AwsStatusCommand
{
    public static Command Build(CliContext context) =>
        AwsOptions.ClusterVerb("status", "Show the cluster's stack: state, URLs, version.", context, async (parse, aws, name, cancellationToken) =>
        {
            var stacks = aws.Stacks(parse, context);
            var stack = await stacks.DescribeAsync(name, cancellationToken)
                ?? throw new CliException($"--cluster-id: no cluster named {name} (atlas deploy aws list)");
            var o = context.Out;
            await o.WriteLineAsync($"cluster:   {stack.Name}");
            await o.WriteLineAsync($"status:    {stack.Status}");
            if (stack.Failed && await stacks.FirstFailureAsync(name, cancellationToken) is { } failure)
            {
                await o.WriteLineAsync($"failed:    {failure.LogicalResourceId} ({failure.ResourceType}): {failure.Reason ?? "no reason given"}");
            }
            var version = stack.Output(TemplateNames.VersionOutput);
            await o.WriteLineAsync($"version:   {version ?? "-"}");
            await o.WriteLineAsync($"gateway:   {stack.Output(TemplateNames.GatewayUrlOutput) ?? "-"}");
            await o.WriteLineAsync($"dashboard: {stack.Output(TemplateNames.DashboardUrlOutput) ?? "-"}");
            if (stack.Output(TemplateNames.TunnelOutput) is { } tunnel)
            {
                await o.WriteLineAsync($"tunnel:    {tunnel}");
            }
            if (version is not null && version != CliVersion.Current)
            {
                await context.Error.WriteLineAsync($"warning: the cluster runs Atlas {version}, this CLI is {CliVersion.Current}; `atlas deploy aws up --cluster-id {name} …` updates it");
            }
            return 0;
        });
}
