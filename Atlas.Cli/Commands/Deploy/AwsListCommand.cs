using System.CommandLine;
using Atlas.Cli.Output;
using Atlas.Deploy.Aws.Templates;

namespace Atlas.Cli.Commands.Deploy;

/// <summary><c>atlas deploy aws list</c>: the Atlas clusters (stacks tagged <c>atlas:cluster</c>) in the region.</summary>
internal static class AwsListCommand
{
    public static Command Build(CliContext context)
    {
        var aws = new AwsOptions();
        var list = new Command("list", "List the Atlas clusters in the region.");
        aws.AddTo(list);
        CommandAction.Set(list, context, (parse, cancellationToken) => AwsOptions.RunAsync(async () =>
        {
            var stacks = await aws.Stacks(parse, context).ListTaggedAsync(TemplateNames.ClusterTag, cancellationToken);
            var table = Tables.Create(context, "cluster", "status", "version", "gateway");
            foreach (var s in stacks)
            {
                table.Row(s.Name, s.Status, s.Output(TemplateNames.VersionOutput) ?? "-", s.Output(TemplateNames.GatewayUrlOutput) ?? "-");
            }
            CliConsole.Write(context, table);
            return 0;
        }));
        return list;
    }
}
