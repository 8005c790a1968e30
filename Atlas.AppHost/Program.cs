using Atlas.AppHost;
using Atlas.AppHost.Model;
using Atlas.AppHost.Options;
using Atlas.AppHost.Preflight;
using Atlas.AppHost.Publishing;
using Atlas.AppHost.Resources;
using Atlas.Core;
using Atlas.Core.Containers;
using Atlas.Core.Net;
using Atlas.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

// The Atlas cluster as an Aspire app model. Flags first: a bad one starts nothing.
var (options, error) = AppHostOptionsParser.Parse(args);
if (error is not null)
{
    Console.Error.WriteLine($"error: {error}");
    return 2;
}
if (options!.Help)
{
    Console.WriteLine(AppHostOptionsParser.Usage);
    return 0;
}
var repoRoot = AtlasBuildInfo.RepoRoot(typeof(ClusterBanner).Assembly);
var builder = DistributedApplication.CreateBuilder([.. options.AspireArgs]);

if (options.Publish)
{
    // The same services for every target (azd, compose, bare metal); nothing here depends on this
    // machine (two runs, same bytes). Deployed workers run jobs as processes (docs/DEPLOY.md).
    builder.AddPublishedCluster(ClusterModel.Build(options with { DataDir = "/atlas" }, "process", PublishPorts.Sequence()));
    builder.AddDeployTargets(repoRoot);
    builder.Build().Run();
    return 0;
}

// Redis is protected here too: a password generated once per data folder (DATA/secrets/redis-password).
options = options with { RedisPassword = LocalRedisPassword.Read(options.DataDir) ?? LocalRedisPassword.Generate() };
using var docker = new DockerProbe();
var (preflight, failure) = await ClusterPreflight.CheckAsync(options, repoRoot, docker, CancellationToken.None);
if (failure is not null)
{
    Console.Error.WriteLine(failure);
    return 1;
}
if (preflight!.Warning is not null)
{
    Console.Error.WriteLine(preflight.Warning);
}
var model = ClusterModel.Build(options, preflight.Runtime, LoopbackPorts.Next);
if (preflight.DockerAnswers)
{
    foreach (var id in await docker.RemoveLabelledAsync(ContainerLabels.Cluster, model.ClusterId, CancellationToken.None))
    {
        Console.WriteLine($"removed container {id} (left by an earlier run)");
    }
}
Directory.CreateDirectory(Path.Combine(model.DataDir, "redis"));
LocalRedisPassword.Save(model.DataDir, options.RedisPassword);
Directory.CreateDirectory(model.SharedRoot);
if (options.Auth)
{
    // With login on, the dashboard asks for the token Aspire prints in its login URL.
    builder.Configuration["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "false";
}

builder.AddLocalCluster(model, preflight, repoRoot);
builder.Services.AddSingleton(model).AddSingleton(preflight).AddSingleton(Console.Out).AddHostedService<ClusterBanner>()
    .AddSingleton(TimeProvider.System).AddSingleton<ResourceProcesses>().AddHostedService(s => s.GetRequiredService<ResourceProcesses>()).AddSingleton<ClusterCleanup>();
// Aspire.Hosting.Testing runs this file only up to here and runs the app itself: what follows a run
// lives in ClusterCleanup, which its hosts call too.
var app = builder.Build();
app.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping
    .Register(() => Console.WriteLine("stopping the cluster…"));
await app.RunAsync();
// DCP stops the services after the host: wait for them and sweep containers (see ClusterCleanup).
Console.WriteLine("waiting for the services to exit…");
await app.Services.GetRequiredService<ClusterCleanup>().AfterStopAsync(CancellationToken.None);
Console.WriteLine("stopped.");
return 0;
