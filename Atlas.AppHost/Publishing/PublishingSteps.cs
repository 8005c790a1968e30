using Aspire.Hosting.Pipelines;
using Atlas.AppHost.Publishing.Ec2;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Atlas.AppHost.Publishing;

/// <summary>
/// Registers the deploy targets as Aspire pipeline steps next to Aspire's own <c>publish-manifest</c>:
/// <c>dotnet run --project Atlas.AppHost -- --operation publish --step publish-compose --output-path DIR</c>
/// or <c>aspire do publish-compose</c>. Each step resolves the parameters (<see cref="ClusterSecrets"/>),
/// describes the model (<see cref="ServiceCatalog"/>) and hands both to its target.
/// </summary>
internal static class PublishingSteps
{
    /// <summary>What a target writes: the services, the parameter values, the repository, the output folder.</summary>
    public delegate Task Target(IReadOnlyList<DeployableService> services, ClusterSecrets secrets, string repoRoot, string outputDir, CancellationToken cancellationToken);

    public static IDistributedApplicationBuilder AddDeployTargets(this IDistributedApplicationBuilder builder, string repoRoot)
    {
#pragma warning disable ASPIREPIPELINES001 // Pipeline steps are experimental in Aspire 13.
        builder.Pipeline.AddStep(ComposeTarget.StepName, context => RunAsync(context, repoRoot, ComposeTarget.StepName, ComposeTarget.WriteAsync), requiredBy: WellKnownPipelineSteps.Publish);
        builder.Pipeline.AddStep(BareMetalTarget.StepName, context => RunAsync(context, repoRoot, BareMetalTarget.StepName, BareMetalTarget.WriteAsync), requiredBy: WellKnownPipelineSteps.Publish);
        builder.Pipeline.AddStep(Ec2Target.StepName, context => RunAsync(context, repoRoot, Ec2Target.StepName, Ec2Target.WriteAsync), requiredBy: WellKnownPipelineSteps.Publish);
        builder.Pipeline.AddStep(AzdTarget.StepName, context => AzdTarget.WriteAsync(
            Path.Combine(repoRoot, "Atlas.AppHost", "Atlas.AppHost.csproj"), OutputDirectory(context), context.CancellationToken), requiredBy: AzdTarget.ManifestStep);
#pragma warning restore ASPIREPIPELINES001
        return builder;
    }

#pragma warning disable ASPIREPIPELINES001, ASPIREPIPELINES004 // The step context and IPipelineOutputService are experimental.
    private static async Task RunAsync(PipelineStepContext context, string repoRoot, string step, Target write)
    {
        var output = OutputDirectory(context);
        var (services, parameters) = await ServiceCatalog.DescribeAsync(context.Model, context.ExecutionContext, repoRoot, context.CancellationToken);
        var secrets = await ClusterSecrets.LoadAsync(parameters, context.Services.GetRequiredService<IConfiguration>(), output, context.CancellationToken);
        await write(services, secrets, repoRoot, output, context.CancellationToken);
        context.Logger.LogInformation("{Step}: {Count} services written under {Output}", step, services.Count, output);
    }

    private static string OutputDirectory(PipelineStepContext context) =>
        Path.GetFullPath(context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory());
#pragma warning restore ASPIREPIPELINES001, ASPIREPIPELINES004
}
