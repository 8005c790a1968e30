namespace Atlas.Deploy.Aws.Templates;

/// <summary>The names the template, the CLI and the master agree on.</summary>
public static class TemplateNames
{
    /// <summary>The tag that names an instance's cluster: its value is the stack name (the cluster id).</summary>
    public const string ClusterTag = "atlas:cluster";

    /// <summary>The tag that says what a node is: <c>master</c>, <c>worker</c>, <c>dynamic-worker</c>, <c>bastion</c>.</summary>
    public const string RoleTag = "atlas:role";

    /// <summary>The role tag's value on workers that the master launched and may terminate.</summary>
    public const string DynamicWorkerRole = "dynamic-worker";

    // Parameters: what `atlas deploy aws up` passes; the template's structure does not depend on them.
    public const string KeyName = "KeyName";
    public const string InboundCidr = "InboundCidr";
    public const string MasterInstanceType = "MasterInstanceType";
    public const string WorkerInstanceType = "WorkerInstanceType";
    public const string GpuWorkerInstanceType = "GpuWorkerInstanceType";
    public const string ImageId = "ImageId";
    public const string LatestImage = "LatestImage";
    public const string MaxDynamicWorkers = "MaxDynamicWorkers";
    public const string MaxIdleWorkerSeconds = "MaxIdleWorkerSeconds";
    public const string IdleShutdownMinutes = "IdleShutdownMinutes";
    public const string Spot = "Spot";
    public const string SpotMaxPrice = "SpotMaxPrice";
    public const string ArtifactsUrl = "ArtifactsUrl";
    public const string AtlasVersion = "AtlasVersion";

    /// <summary>The dashboard's URL as browsers open it (<c>--dashboard-url</c>); empty: the master's public name on the dashboard's port.</summary>
    public const string PublicDashboardUrl = "PublicDashboardUrl";

    /// <summary>The variable Keycloak's realm file reads for the dashboard's URL (<c>keycloak/atlas-realm.json</c>).</summary>
    public const string DashboardUrlVariable = "ATLAS_DASHBOARD_URL";

    // Resources and outputs the CLI reads.
    public const string ArtifactsBucket = "ArtifactsBucket";
    public const string MasterInstance = "MasterInstance";
    public const string GatewayUrlOutput = "GatewayUrl";
    public const string DashboardUrlOutput = "DashboardUrl";
    public const string VersionOutput = "AtlasVersion";
    public const string BucketOutput = "ArtifactsBucketName";
    public const string TunnelOutput = "TunnelCommand";

    /// <summary>The launch template the master starts dynamic workers from: <c>{stack}-worker</c>.</summary>
    public static string WorkerLaunchTemplateName(string clusterId) => clusterId + "-worker";

    /// <summary>The bare-metal bundle of a host role, as the deploy step writes it.</summary>
    public static string BundleFile(string role) => $"atlas-baremetal-{role}.tar.gz";
}
