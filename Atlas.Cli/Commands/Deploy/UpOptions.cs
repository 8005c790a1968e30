using System.CommandLine;
using System.Globalization;
using Atlas.Deploy.Aws.Clusters;
using Atlas.Deploy.Aws.Deployment;
using Atlas.Deploy.Aws.Settings;

namespace Atlas.Cli.Commands.Deploy;

/// <summary>
/// <c>atlas deploy aws up</c>'s options, det-deploy's names and defaults. <see cref="ToRequest"/>
/// checks all of them before anything is created and names the option that is wrong.
/// </summary>
internal sealed class UpOptions
{
    public Option<string?> KeyPair { get; } = new("--keypair") { Description = "the EC2 key pair for SSH to the nodes (needed unless --dry-run)" };

    public Option<string> DeploymentType { get; } = new("--deployment-type")
    {
        Description = "simple (default VPC), vpc (its own VPC), efs (vpc + EFS for the shared root), secure (efs + private subnet, NAT gateway, bastion)",
        DefaultValueFactory = _ => "simple",
    };

    public Option<string> MasterInstanceType { get; } = new("--master-instance-type") { DefaultValueFactory = _ => "m5.large", Description = "the master's instance type" };

    public Option<string> WorkerInstanceType { get; } = new("--worker-instance-type") { DefaultValueFactory = _ => "m5.large", Description = "the workers' instance type" };

    public Option<string> GpuWorkerInstanceType { get; } = new("--gpu-worker-instance-type")
    {
        DefaultValueFactory = _ => "g4dn.xlarge",
        Description = "the instance type of dynamic workers for jobs that ask for GPUs",
    };

    public Option<int> Workers { get; } = new("--workers") { DefaultValueFactory = _ => 0, Description = "static worker instances (0-40; dynamic workers come on top)" };

    public Option<int> MaxDynamicWorkers { get; } = new("--max-dynamic-workers") { DefaultValueFactory = _ => 5, Description = "how many workers the master may add when jobs wait (0: none)" };

    public Option<string> MaxIdleWorkerPeriod { get; } = new("--max-idle-worker-period")
    {
        DefaultValueFactory = _ => "10m",
        Description = "a dynamic worker idle this long is terminated (e.g. 10m, 1h; at least 1m)",
    };

    public Option<string?> IdleShutdown { get; } = new("--idle-shutdown") { Description = "with no job for this long (e.g. 30m), stop every dynamic worker (default: never)" };

    public Option<bool> Spot { get; } = new("--spot") { Description = "run dynamic workers on spot instances" };

    public Option<string?> SpotMaxPrice { get; } = new("--spot-max-price") { Description = "the most to pay per spot instance hour, in USD (needs --spot)" };

    public Option<string?> InboundCidr { get; } = new("--inbound-cidr") { Description = "who may reach SSH, the gateway and the dashboard (default: your own address /32)" };

    public Option<string?> Ami { get; } = new("--ami") { Description = "an AMI for every node (default: the latest Amazon Linux 2023)" };

    public Option<string?> ArtifactsUrl { get; } = new("--artifacts-url") { Description = "fetch the bare-metal bundles from this release URL instead of the stack's bucket" };

    public Option<string?> DashboardUrl { get; } = new("--dashboard-url")
    {
        Description = "the dashboard's URL as browsers open it (e.g. https://atlas.example behind your proxy), which Keycloak's login accepts (default: http://MASTER-PUBLIC-NAME:5555; localhost for secure)",
    };

    public Option<string?> Bundles { get; } = new("--bundles")
    {
        Description = "the AppHost's publish-baremetal output (master/, worker/, bin/), or a folder with atlas-baremetal-master.tar.gz and atlas-baremetal-worker.tar.gz; uploaded to the stack's bucket",
    };

    public Option<bool> DryRun { get; } = new("--dry-run") { Description = "print the template (and the parameters on stderr); touch nothing" };

    public Option<bool> DeleteFailed { get; } = new("--delete-failed") { Description = "a cluster left in ROLLBACK_COMPLETE is deleted and created anew" };

    public IEnumerable<Option> All =>
    [
        KeyPair, DeploymentType, MasterInstanceType, WorkerInstanceType, GpuWorkerInstanceType, Workers, MaxDynamicWorkers,
        MaxIdleWorkerPeriod, IdleShutdown, Spot, SpotMaxPrice, InboundCidr, Ami, ArtifactsUrl, DashboardUrl, Bundles, DryRun, DeleteFailed,
    ];

    /// <summary>The request these options make; <see cref="UpRequest.InboundCidr"/> is empty when <c>--inbound-cidr</c> was not given.</summary>
    public UpRequest ToRequest(ParseResult parse, string clusterId)
    {
        var dryRun = parse.GetValue(DryRun);
        var keyPair = parse.GetValue(KeyPair);
        if (!dryRun && string.IsNullOrWhiteSpace(keyPair))
        {
            throw Usage("--keypair: name the EC2 key pair for SSH to the nodes");
        }
        var type = parse.GetValue(DeploymentType)!;
        if (!Enum.TryParse<DeploymentType>(type, ignoreCase: true, out var deploymentType) || !Enum.IsDefined(deploymentType) || type.Any(char.IsDigit))
        {
            throw Usage($"--deployment-type: '{type}' is not one of simple, vpc, efs, secure");
        }
        var masterType = InstanceType(parse, MasterInstanceType, accelerated: false);
        var workerType = InstanceType(parse, WorkerInstanceType, accelerated: false);
        var gpuType = InstanceType(parse, GpuWorkerInstanceType, accelerated: true);
        var workers = parse.GetValue(Workers);
        if (workers is < 0 or > 40)
        {
            throw Usage($"--workers: {workers} is not between 0 and 40");
        }
        var maxDynamic = parse.GetValue(MaxDynamicWorkers);
        if (maxDynamic is < 0 or > 1000)
        {
            throw Usage($"--max-dynamic-workers: {maxDynamic} is not between 0 and 1000");
        }
        var idle = Duration(parse.GetValue(MaxIdleWorkerPeriod)!, "--max-idle-worker-period");
        if (idle < TimeSpan.FromMinutes(1))
        {
            throw Usage("--max-idle-worker-period: at least 1m");
        }
        var idleShutdown = parse.GetValue(IdleShutdown) is { } s ? Duration(s, "--idle-shutdown") : (TimeSpan?)null;
        if (idleShutdown is { } shutdown && shutdown < TimeSpan.FromMinutes(1))
        {
            throw Usage("--idle-shutdown: at least 1m");
        }
        var spot = parse.GetValue(Spot);
        decimal? price = null;
        if (parse.GetValue(SpotMaxPrice) is { } p)
        {
            if (!spot)
            {
                throw Usage("--spot-max-price: needs --spot");
            }
            price = decimal.TryParse(p, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) && d > 0
                ? d : throw Usage($"--spot-max-price: '{p}' is not a price in USD, like 0.45");
        }
        string cidr = "";
        if (parse.GetValue(InboundCidr) is { } c)
        {
            cidr = Ec2Names.ParseCidr(c, out var reason) ?? throw Usage($"--inbound-cidr: '{c}' is {reason}");
        }
        var ami = parse.GetValue(Ami);
        if (ami is not null && !Ec2Names.IsImageId(ami))
        {
            throw Usage($"--ami: '{ami}' is not an AMI id like ami-0123456789abcdef0");
        }
        Uri? artifacts = null;
        if (parse.GetValue(ArtifactsUrl) is { } a)
        {
            artifacts = Uri.TryCreate(a, UriKind.Absolute, out var u) && u.Scheme is "https" or "http"
                ? u : throw Usage($"--artifacts-url: '{a}' is not an http(s) URL");
        }
        Uri? dashboard = null;
        if (parse.GetValue(DashboardUrl) is { } url)
        {
            dashboard = Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "https" or "http" && parsed.Host.Length > 0
                && url.All(ch => ch > ' ' && ch < 127 && ch is not ('|' or '&' or '\'' or '"'))
                ? parsed : throw Usage($"--dashboard-url: '{url}' is not an absolute http(s) URL like https://atlas.example or http://atlas.example:5555");
        }
        var bundles = parse.GetValue(Bundles);
        if (bundles is not null && artifacts is not null)
        {
            throw Usage("--bundles: give --bundles or --artifacts-url, not both");
        }
        if (!dryRun && bundles is null && artifacts is null)
        {
            throw Usage("--bundles: give the folder with the bare-metal bundles (the AppHost's publish-baremetal), or --artifacts-url");
        }
        if (bundles is not null && BundleArchives.Problem(Path.GetFullPath(bundles)) is { } problem)
        {
            throw Usage($"--bundles: {problem}");
        }
        return new UpRequest
        {
            ClusterId = clusterId,
            KeyPair = keyPair ?? "",
            Type = deploymentType,
            MasterInstanceType = masterType,
            WorkerInstanceType = workerType,
            GpuWorkerInstanceType = gpuType,
            Workers = workers,
            MaxDynamicWorkers = maxDynamic,
            MaxIdleWorkerPeriod = idle,
            IdleShutdown = idleShutdown,
            Spot = spot,
            SpotMaxPrice = price,
            InboundCidr = cidr,
            ImageId = ami,
            ArtifactsUrl = artifacts,
            DashboardUrl = dashboard,
            BundlesFolder = bundles is null ? null : Path.GetFullPath(bundles),
            Version = CliVersion.Current,
            DeleteFailed = parse.GetValue(DeleteFailed),
        };
    }

    private static string InstanceType(ParseResult parse, Option<string> option, bool accelerated)
    {
        var value = parse.GetValue(option)!;
        if (!Ec2Names.IsKnownInstanceType(value))
        {
            throw Usage($"{option.Name}: '{value}' is not an instance type Atlas knows (like m5.large or g4dn.xlarge)");
        }
        if (accelerated && !Ec2Names.IsAcceleratedInstanceType(value))
        {
            throw Usage($"{option.Name}: '{value}' has no GPU (like g4dn.xlarge or p3.2xlarge)");
        }
        return value;
    }

    private static TimeSpan Duration(string value, string option) =>
        Ec2Names.ParseDuration(value) ?? throw Usage($"{option}: '{value}' is not a duration like 10m, 90s or 1h");

    private static CliException Usage(string message) => new(message, 2);
}
