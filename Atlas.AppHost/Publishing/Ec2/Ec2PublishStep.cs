using Aspire.Hosting.Pipelines;
using Atlas.Deploy.Aws.Clusters;
using Atlas.Deploy.Aws.Templates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Atlas.AppHost.Publishing.Ec2;

/// <summary>
/// <c>publish-ec2</c>: one CloudFormation template per deployment type, from the app model, in
/// <c>OUTPUT/ec2/atlas-{type}.json</c>. <c>atlas deploy aws up</c> generates the same template from
/// its options; these files are for review, or for <c>aws cloudformation deploy</c> by hand.
/// </summary>
internal static class Ec2PublishStep
{
    public const string Name = "publish-ec2";

#pragma warning disable ASPIREPIPELINES001, ASPIREPIPELINES004 // Aspire's pipeline steps and output service are experimental in 13.6.
    public static IDistributedApplicationBuilder AddEc2Publishing(this IDistributedApplicationBuilder builder)
    {
        builder.Pipeline.AddStep(Name, async context =>
        {
            var output = Path.Combine(context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory(), "ec2");
            Directory.CreateDirectory(output);
            var cluster = await Ec2ClusterDescription.FromModelAsync(context.Model, context.CancellationToken);
            foreach (var type in Enum.GetValues<DeploymentType>())
            {
                var path = Path.Combine(output, $"atlas-{type.ToString().ToLowerInvariant()}.json");
                await File.WriteAllTextAsync(path, Ec2Template.Generate(cluster, type), context.CancellationToken);
                context.Logger.LogInformation("wrote {Path}", path);
            }
        }, requiredBy: WellKnownPipelineSteps.Publish);
        return builder;
    }
#pragma warning restore ASPIREPIPELINES001, ASPIREPIPELINES004
}
