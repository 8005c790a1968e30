using Atlas.Bench;
using Atlas.Testing;

// Usage: dotnet run -c Release --project bench/Atlas.Bench [-- --jobs 1000 --latency-jobs 200 --workers 2 --slots 8 --concurrency 32 --trace-ratio 1]
//        dotnet run -c Release --project bench/Atlas.Bench -- --scenario load [--clients 100 --seconds 60 --workers 2 --slots 8]
//        dotnet run -c Release --project bench/Atlas.Bench -- --scenario docker --workers 1 --warmup 10 --latency-jobs 50
//        dotnet run -c Release --project bench/Atlas.Bench -- --scenario queue100k [--queue-jobs 100000 --seconds 30]
//        dotnet run -c Release --project bench/Atlas.Bench -- --scenario metrics [--flood-jobs 2 --points 250000 --workers 2 --slots 8]
//        dotnet run -c Release --project bench/Atlas.Bench -- --scenario start [--warmup 20 --latency-jobs 200]
//        dotnet run -c Release --project bench/Atlas.Bench -- --scenario placement [--jobs 1000 --seed 12 --queue-jobs 100000]   (the policy, simulated time: no cluster)
//        dotnet run -c Release --project bench/Atlas.Bench -- --scenario stopqueued [--queue-jobs 100000]   (Redis alone: no cluster)
//        dotnet run -c Release --project bench/Atlas.Bench -- --scenario upload --latency-jobs 20 [--upload-files 5000 --upload-mb 100]
var settings = BenchSettings.Parse(args);
if (settings.Scenario == "stopqueued")
{
    await StopQueuedScenario.RunAsync(settings, Console.Out);
    return;
}
if (settings.Scenario == "placement")
{
    var scenario = new PlacementScenario(settings);
    scenario.Run(Console.Out);
    if (args.Contains("--queue-jobs"))
    {
        await scenario.MeasureLongQueueAsync(Console.Out);
    }
    return;
}
await using var cluster = await ClusterProcess.StartAsync(typeof(Scenarios).Assembly, settings.Workers,
    ["--runtime", settings.Scenario == "docker" ? "docker" : "process", "--slots", settings.Slots.ToString(System.Globalization.CultureInfo.InvariantCulture)],
    new Dictionary<string, string> { ["Atlas__Telemetry__TraceRatio"] = settings.TraceRatio });
using var client = new HttpClient { BaseAddress = new Uri(cluster.GatewayUrl), Timeout = TimeSpan.FromMinutes(2) };
if (settings.Scenario == "docker")
{
    var (bare, atlas, queued) = await new DockerScenario(client, settings).RunAsync();
    DockerScenario.Print(Console.Out, bare, atlas, queued);
}
else if (settings.Scenario == "start")
{
    (await new StartScenario(client, cluster, settings).RunAsync()).Print(Console.Out, settings);
}
else if (settings.Scenario == "queue100k")
{
    (await new QueueScenario(client, cluster, settings).RunAsync()).Print(Console.Out);
}
else if (settings.Scenario == "upload")
{
    await new UploadScenario(cluster, settings).RunAsync(Console.Out);
}
else if (settings.Scenario == "metrics")
{
    await new MetricsScenario(client, settings).RunAsync(Console.Out);
}
else if (settings.Scenario == "load")
{
    (await new LoadScenario(client, settings).RunAsync()).Print(Console.Out, settings);
}
else
{
    (await new Scenarios(client, settings).RunAsync()).Print(Console.Out, settings);
}
