using Atlas.Core.Storage;
using Atlas.Core.Telemetry;
using Atlas.Core.SharedVolume;
using Atlas.Api.Jobs;
using Atlas.Worker.Execution;
using Atlas.Worker.Options;
using Atlas.Worker.Resources;
using Atlas.Worker.Runtime;
using Atlas.Worker.Tracking;
using Atlas.Core.Tracking;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Everything the worker registers.</summary>
public static class WorkerExtensions
{
    public static IHostApplicationBuilder AddWorkerServices(this IHostApplicationBuilder builder)
    {
        builder.AddSharedVolume();
        builder.AddAtlasLease();
        builder.Services.AddSingleton<WorkerJobStore>();
        builder.Services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section)
            .PostConfigure<IConfiguration>((o, config) => o.Address ??= FirstUrl(config))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>();
        builder.AddJobRuntime();
        builder.Services.AddSingleton<GpuDetector>();
        builder.Services.AddSingleton<NodeResourceDetector>();

        builder.Services.AddSingleton<AtlasMetrics>();
        builder.Services.AddSingleton<RunningJobs>();
        builder.Services.AddSingleton<JobTelemetryEnvironment>();
        builder.Services.AddOptions<TrackingLimits>().BindConfiguration(TrackingLimits.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TrackingLimits>, TrackingLimitsValidator>();
        builder.Services.AddSingleton<TrackingWriter>();
        builder.Services.AddSingleton<MetricsIngests>();
        builder.Services.AddSingleton<ILiveLogs>(sp => sp.GetRequiredService<RunningJobs>());
        // Registration first: the node is known before it takes work.
        builder.Services.AddSingleton<NodeReadiness>();
        builder.Services.AddHostedService<NodeHeartbeat>();
        builder.Services.AddHostedService<JobExecutor>();
        // Room for the drain: the grace period, then stopping what is left (SIGTERM, grace, SIGKILL).
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<WorkerOptions>>((host, worker) =>
            host.ShutdownTimeout = worker.Value.DrainGrace + TimeSpan.FromSeconds(60));
        return builder;
    }

    /// <summary>
    /// The runtime named by <c>Atlas:Worker:Runtime</c>: <c>docker</c> (settings under
    /// <c>Atlas:Worker:Docker</c>) or <c>process</c> (under <c>Atlas:Worker:Process</c>).
    /// Containers are labelled with this node's name and the cluster's id (<c>Atlas:Cluster</c>).
    /// </summary>
    private static void AddJobRuntime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DockerRuntimeOptions>().BindConfiguration(WorkerOptions.Section + ":Docker")
            .PostConfigure<IOptions<WorkerOptions>, IConfiguration>((docker, worker, config) =>
            {
                docker.NodeName = worker.Value.Name;
                docker.Cluster = config["Atlas:Cluster"] ?? docker.Cluster;
            });
        builder.Services.AddOptions<ProcessRuntimeOptions>().BindConfiguration(WorkerOptions.Section + ":Process")
            .PostConfigure<IOptions<WorkerOptions>, JobPaths>((process, worker, paths) =>
            {
                process.NodeName = worker.Value.Name;
                process.JobsRoot = paths.JobsRoot;
            });
        if (string.Equals(builder.Configuration[WorkerOptions.Section + ":Runtime"], "process", StringComparison.Ordinal))
        {
            builder.Services.AddOptions<ProcessRuntimeOptions>().ValidateOnStart();
            builder.Services.AddSingleton<IValidateOptions<ProcessRuntimeOptions>, ProcessRuntimeOptionsValidator>();
            builder.Services.AddSingleton<IJobRuntime, ProcessRuntime>();
        }
        else
        {
            builder.Services.AddOptions<DockerRuntimeOptions>().ValidateOnStart();
            builder.Services.AddSingleton<IValidateOptions<DockerRuntimeOptions>, DockerRuntimeOptionsValidator>();
            builder.Services.AddSingleton<IJobRuntime, DockerRuntime>();
            builder.Services.AddHealthChecks().AddCheck<DockerHealthCheck>("docker");
        }
    }

    // Without HOST_ADDRESS, a single-machine worker is reached where it listens.
    private static string? FirstUrl(IConfiguration config) =>
        config["urls"]?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal);
}
