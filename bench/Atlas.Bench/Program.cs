using Atlas.Bench;

// Usage: dotnet run -c Release --project bench/Atlas.Bench [-- --jobs 1000 --latency-jobs 200 --slots 8 --concurrency 32]
var settings = BenchSettings.Parse(args);
await using var cluster = await BenchCluster.StartAsync(settings);
var results = await new Scenarios(cluster.Client, settings).RunAsync();
results.Print(Console.Out, settings);
