namespace Atlas.Master.Scaling;

/// <summary>
/// Dynamic workers on EC2 (det-deploy's dynamic agents), section <c>Atlas:Master:Ec2</c>. Off unless
/// <see cref="MaxWorkers"/> is above 0; the EC2 template's boot script sets these on the master.
/// </summary>
public sealed class DynamicWorkerOptions
{
    public const string Section = "Atlas:Master:Ec2";

    /// <summary>The tag every instance of the cluster carries; the master manages only instances with its value.</summary>
    public const string ClusterTag = "atlas:cluster";

    /// <summary>The tag that says what a node is; only <see cref="DynamicRole"/> instances are ever terminated.</summary>
    public const string RoleTag = "atlas:role";

    public const string DynamicRole = "dynamic-worker";

    /// <summary>How many workers the master may add; 0 turns dynamic workers off.</summary>
    public int MaxWorkers { get; set; }

    /// <summary>The cluster's id (the stack name): the value of <see cref="ClusterTag"/> on its instances.</summary>
    public string? ClusterId { get; set; }

    /// <summary>The AWS region; empty: the SDK's own lookup (environment, instance metadata).</summary>
    public string? Region { get; set; }

    /// <summary>Another EC2 endpoint (LocalStack, a test's stand-in); empty: the region's.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The launch template dynamic workers start from (<c>{cluster}-worker</c>).</summary>
    public string? LaunchTemplateName { get; set; }

    /// <summary>The instance type to launch; empty: the launch template's.</summary>
    public string? InstanceType { get; set; }

    /// <summary>
    /// The instance type for jobs that ask for GPUs. Jobs cannot ask for GPUs yet (the job model
    /// has no GPU request), so nothing launches it; kept so a deployment is ready when they can.
    /// </summary>
    public string? GpuInstanceType { get; set; }

    /// <summary>Job slots of a dynamic worker (its <c>NUM_WORKERS</c>): how many waiting jobs one new worker takes.</summary>
    public int SlotsPerWorker { get; set; } = 2;

    /// <summary>A dynamic worker with no job for this long is terminated.</summary>
    public double MaxIdleSeconds { get; set; } = 600;

    /// <summary>With no job queued or running for this long, every dynamic worker is terminated; 0: never.</summary>
    public double IdleShutdownMinutes { get; set; }

    /// <summary>A launched worker that has not registered after this long counts as idle from then on (it failed to boot).</summary>
    public double BootGraceSeconds { get; set; } = 900;

    /// <summary>Launch on spot instances.</summary>
    public bool Spot { get; set; }

    /// <summary>The most to pay per spot instance hour in USD; empty: up to the on-demand price.</summary>
    public string? SpotMaxPrice { get; set; }

    /// <summary>How often the master looks at the queue and the fleet.</summary>
    public double CheckIntervalSeconds { get; set; } = 30;

    public bool Enabled => MaxWorkers > 0;
}
