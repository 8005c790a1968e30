using Atlas.Dashboard.Bench;
using Atlas.Testing;

// Usage: dotnet run -c Release --project bench/Atlas.Dashboard.Bench [-- --jobs 100000 --queries 100 --paints 10]
//        dotnet run -c Release --project bench/Atlas.Dashboard.Bench -- --screenshots docs/images
var settings = DashboardBenchSettings.Parse(args);
await using var cluster = await ClusterProcess.StartAsync(typeof(DashboardBenchSettings).Assembly, 1, ["--runtime", "process", "--slots", "4"]);
using var gateway = new HttpClient { BaseAddress = new Uri(cluster.GatewayUrl), Timeout = TimeSpan.FromMinutes(2) };
await using var chromium = await Chromium.LaunchAsync();
if (settings.ScreenshotDir is { } dir)
{
    await new Screenshots(gateway, chromium, cluster.AtlasDashboardUrl).TakeAsync(dir);
}
else
{
    await new TableBench(gateway, chromium, cluster, settings).RunAsync(Console.Out);
}
