using System.Globalization;
using Atlas.Deploy.Aws.Clusters;
using Atlas.Deploy.Aws.Templates;

namespace Atlas.Deploy.Aws.Deployment;

/// <summary>What <c>atlas deploy aws up</c> asks for, already checked (see the CLI's options).</summary>
public sealed record UpRequest
{
    public required string ClusterId { get; init; }

    public string KeyPair { get; init; } = "";

    public DeploymentType Type { get; init; } = DeploymentType.Simple;

    public string MasterInstanceType { get; init; } = "m5.large";

    public string WorkerInstanceType { get; init; } = "m5.large";

    public string GpuWorkerInstanceType { get; init; } = "g4dn.xlarge";

    public int Workers { get; init; }

    public int MaxDynamicWorkers { get; init; } = 5;

    public TimeSpan MaxIdleWorkerPeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Stop every dynamic worker after this long with no job; null: never.</summary>
    public TimeSpan? IdleShutdown { get; init; }

    public bool Spot { get; init; }

    public decimal? SpotMaxPrice { get; init; }

    /// <summary>Who may reach the cluster, e.g. <c>203.0.113.7/32</c>.</summary>
    public string InboundCidr { get; init; } = "";

    public string? ImageId { get; init; }

    /// <summary>Where nodes fetch the bundles instead of the stack's bucket.</summary>
    public Uri? ArtifactsUrl { get; init; }

    /// <summary>The dashboard's URL as browsers open it, which Keycloak's login accepts; null: the master's public name.</summary>
    public Uri? DashboardUrl { get; init; }

    /// <summary>A folder with the bare-metal bundles to upload to the stack's bucket.</summary>
    public string? BundlesFolder { get; init; }

    /// <summary>The Atlas version the nodes install (the CLI's own).</summary>
    public required string Version { get; init; }

    /// <summary>Delete a stack left in ROLLBACK_COMPLETE and create it anew.</summary>
    public bool DeleteFailed { get; init; }

    public ClusterDescription Cluster => ClusterDescription.Default(Workers);

    /// <summary>The stack's parameters, by the template's names.</summary>
    public IReadOnlyDictionary<string, string> Parameters => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [TemplateNames.KeyName] = KeyPair,
        [TemplateNames.InboundCidr] = InboundCidr,
        [TemplateNames.MasterInstanceType] = MasterInstanceType,
        [TemplateNames.WorkerInstanceType] = WorkerInstanceType,
        [TemplateNames.GpuWorkerInstanceType] = GpuWorkerInstanceType,
        [TemplateNames.ImageId] = ImageId ?? "",
        [TemplateNames.MaxDynamicWorkers] = MaxDynamicWorkers.ToString(CultureInfo.InvariantCulture),
        [TemplateNames.MaxIdleWorkerSeconds] = ((long)MaxIdleWorkerPeriod.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        [TemplateNames.IdleShutdownMinutes] = ((long)(IdleShutdown?.TotalMinutes ?? 0)).ToString(CultureInfo.InvariantCulture),
        [TemplateNames.Spot] = Spot ? "true" : "false",
        [TemplateNames.SpotMaxPrice] = SpotMaxPrice?.ToString(CultureInfo.InvariantCulture) ?? "",
        [TemplateNames.ArtifactsUrl] = ArtifactsUrl?.ToString().TrimEnd('/') ?? "",
        [TemplateNames.AtlasVersion] = Version,
        // Without a trailing slash: the realm appends /* for its redirect URIs.
        [TemplateNames.PublicDashboardUrl] = DashboardUrl?.ToString().TrimEnd('/') ?? "",
    };

    /// <summary>The stack's tags: they mark it as an Atlas cluster for <c>list</c>.</summary>
    public IReadOnlyDictionary<string, string> Tags => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [TemplateNames.ClusterTag] = ClusterId,
        ["atlas:version"] = Version,
    };
}
