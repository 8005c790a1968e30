using Atlas.Deploy.Aws.Clusters;
using Atlas.Deploy.Aws.Templates;

namespace Atlas.AppHost.Publishing.Ec2;

/// <summary>
/// <c>publish-ec2</c>: one CloudFormation template per deployment type, from the app model's
/// services, in <c>OUTPUT/ec2/atlas-{type}.json</c>. <c>atlas deploy aws up</c> generates the same
/// template from its options; these files are for review, or for <c>aws cloudformation deploy</c>
/// by hand. Secrets are not written: the stack generates the Redis password (Secrets Manager).
/// </summary>
internal static class Ec2Target
{
    public const string StepName = "publish-ec2";

    public static async Task WriteAsync(IReadOnlyList<DeployableService> services, ClusterSecrets secrets, string repoRoot, string outputDir, CancellationToken cancellationToken)
    {
        var output = Path.Combine(outputDir, "ec2");
        Directory.CreateDirectory(output);
        var cluster = Ec2ClusterDescription.From(services);
        foreach (var type in Enum.GetValues<DeploymentType>())
        {
            var path = Path.Combine(output, $"atlas-{type.ToString().ToLowerInvariant()}.json");
            await File.WriteAllTextAsync(path, Ec2Template.Generate(cluster, type), cancellationToken);
        }
    }
}
