using System.CommandLine;
using Atlas.Cli.Config;
using Atlas.Deploy.Aws.Clusters;
using Atlas.Deploy.Aws.Deployment;
using Atlas.Deploy.Aws.Templates;

namespace Atlas.Cli.Commands.Deploy;

/// <summary>
/// <c>atlas deploy aws up</c>: creates the cluster's stack, or updates the one of that name; prints
/// the gateway and dashboard URLs and makes the cluster the CLI's current context.
/// </summary>
internal static class AwsUpCommand
{
    public static Command Build(CliContext context)
    {
        var aws = new AwsOptions();
        var options = new UpOptions();
        var clusterId = aws.ClusterId(required: true);
        var up = new Command("up", "Create the cluster on EC2, or update it (by its name).") { clusterId };
        aws.AddTo(up);
        foreach (var option in options.All)
        {
            up.Options.Add(option);
        }
        CommandAction.Set(up, context, (parse, cancellationToken) => AwsOptions.RunAsync(async () =>
        {
            var request = options.ToRequest(parse, AwsOptions.CheckedClusterId(parse.GetValue(clusterId)!));
            if (parse.GetValue(options.DryRun))
            {
                return await DryRunAsync(context, request);
            }
            if (request.InboundCidr.Length == 0)
            {
                request = request with { InboundCidr = await InboundAddress.LookUpAsync(context, cancellationToken) };
                await context.Error.WriteLineAsync($"inbound CIDR: {request.InboundCidr} (your own address; --inbound-cidr to change it)");
            }
            var result = await aws.Deployer(parse, context).UpAsync(request, cancellationToken);
            await ReportAsync(context, request, result);
            return 0;
        }));
        return up;
    }

    private static async Task<int> DryRunAsync(CliContext context, UpRequest request)
    {
        await context.Out.WriteAsync(Ec2Template.Generate(request.Cluster, request.Type));
        foreach (var (key, value) in request.Parameters)
        {
            var shown = key == TemplateNames.InboundCidr && value.Length == 0 ? "(your own address /32, looked up by up)" : value;
            await context.Error.WriteLineAsync($"parameter {key}={shown}");
        }
        return 0;
    }

    private static async Task ReportAsync(CliContext context, UpRequest request, UpResult result)
    {
        var o = context.Out;
        var stack = result.Stack;
        await o.WriteLineAsync(result switch
        {
            { Created: true } => $"created {stack.Name} ({stack.Status})",
            { Changed: true } => $"updated {stack.Name} ({stack.Status})",
            _ => $"nothing changed: {stack.Name} is {stack.Status}",
        });
        if (result.PreviousVersion is { } previous && previous != request.Version)
        {
            await o.WriteLineAsync(result.Changed
                ? $"version:   Atlas {previous} -> {request.Version} (nodes install it when they are replaced)"
                : $"warning: the cluster runs Atlas {previous}, this CLI is {request.Version}");
        }
        var gateway = stack.Output(TemplateNames.GatewayUrlOutput);
        await o.WriteLineAsync($"gateway:   {gateway ?? "-"}");
        await o.WriteLineAsync($"dashboard: {stack.Output(TemplateNames.DashboardUrlOutput) ?? "-"}");
        if (stack.Output(TemplateNames.TunnelOutput) is { } tunnel)
        {
            await o.WriteLineAsync($"tunnel:    {tunnel}");
        }
        if (gateway is null)
        {
            return;
        }
        // Behind the bastion, the CLI reaches the gateway through the tunnel on this machine.
        var url = request.Type == DeploymentType.Secure ? $"http://127.0.0.1:{request.Cluster.Ports.Gateway}" : gateway;
        var config = CliConfig.Load(context.Home);
        config.Contexts[stack.Name] = new CliContextEntry { SchedulerUrl = url };
        config.CurrentContext = stack.Name;
        config.Save(context.Home);
        await o.WriteLineAsync($"context:   {stack.Name} ({url}), now current");
    }
}
