using Atlas.Core.Scheduling;
using Atlas.Core.Storage;
using Atlas.Core.Telemetry;
using Atlas.Master.Apis;
using Atlas.Master.Blobs;
using Atlas.Master.Leadership;
using Atlas.Master.Options;
using Atlas.Master.Scaling;
using Atlas.Master.Scheduling;
using Atlas.Master.Schedules;
using Atlas.Master.Submission;
using Atlas.Master.Table;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Everything the master registers.</summary>
public static class MasterExtensions
{
    public static IHostApplicationBuilder AddMasterServices(this IHostApplicationBuilder builder)
    {
        builder.AddSharedVolume();
        builder.AddAtlasLease();
        builder.Services.AddSingleton<MasterJobStore>();
        builder.Services.AddSingleton<PlacementStore>();
        builder.Services.AddOptions<SchedulingOptions>().BindConfiguration(SchedulingOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SchedulingOptions>, SchedulingOptionsValidator>();
        builder.Services.AddOptions<MasterOptions>().BindConfiguration(MasterOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MasterOptions>, MasterOptionsValidator>();

        // The submit endpoint enforces the bundle limit itself while streaming, with a 413 that says so.
        builder.Services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = null);

        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityTransformer>());
        builder.Services.AddSingleton<AtlasMetrics>();
        builder.Services.AddSingleton<JobSubmitter>();
        builder.Services.AddSingleton<GroupSubmitter>();
        builder.Services.AddSingleton<BlobStore>();
        builder.Services.AddSingleton<BlobCollector>();
        builder.Services.AddSingleton<ManifestBuilder>();
        builder.Services.AddHostedService<BlobSweeper>();
        builder.Services.AddSingleton<Atlas.Core.Tracking.TrackingReader>();
        builder.Services.AddSingleton<JobTableIndex>();
        builder.Services.AddSingleton<LeaderElection>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LeaderElection>());
        builder.Services.AddHostedService<Scheduler>();
        builder.Services.AddHostedService<LeaseReaper>();

        // Scheduled jobs: the API adds them, the leader's ticker submits them.
        builder.Services.AddOptions<ScheduleOptions>().BindConfiguration(ScheduleOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ScheduleOptions>, ScheduleOptionsValidator>();
        builder.Services.AddSingleton<ScheduleStore>();
        builder.Services.AddSingleton<ScheduleCreator>();
        builder.Services.AddHostedService<ScheduleTicker>();

        // Dynamic workers on EC2: off unless Atlas:Master:Ec2:MaxWorkers is above 0.
        builder.Services.AddOptions<DynamicWorkerOptions>().BindConfiguration(DynamicWorkerOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DynamicWorkerOptions>, DynamicWorkerOptionsValidator>();
        builder.Services.AddSingleton<IWorkerFleet>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DynamicWorkerOptions>>();
            return new Ec2WorkerFleet(new Lazy<Amazon.EC2.IAmazonEC2>(() => Ec2Clients.Create(options.Value)), options);
        });
        builder.Services.AddHostedService<DynamicWorkerManager>();
        return builder;
    }
}
