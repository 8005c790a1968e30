using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Atlas.Cli;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using Atlas.Core.SharedVolume;
using Atlas.Core.Storage;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.Bench;

/// <summary>
/// <c>--scenario queue100k</c>: a long queue with no free node. Every node is set draining, then
/// <see cref="BenchSettings.QueueJobs"/> no-op jobs are queued through the master's store (the
/// same Lua submit the API runs, each with its job folder; 100,000 HTTP submits would take
/// minutes on this machine). Measured: Redis memory per queued job, <c>GET /api/v1/jobs</c> and
/// <c>atlas ls</c> (the real CLI, in-process) through the gateway, the master's RSS, the cost of
/// one placement pass when a slot frees at three queue lengths side by side (on a redis-server of
/// the bench's own, so that the cluster's scheduler does not race it), then the drain rate once
/// the nodes take work again.
/// </summary>
internal sealed class QueueScenario(HttpClient client, ClusterProcess cluster, BenchSettings settings)
{
    private const int Calls = 50;
    private static readonly JobSpec NoOp = new() { Command = ["true"], Project = "queue" };

    public async Task<QueueResults> RunAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.RedisConnectionString + ",allowAdmin=true");
        var master = new MasterJobStore(redis);
        var worker = new WorkerJobStore(redis);
        var reader = new JobReader(redis);
        var server = redis.GetServer(redis.GetEndPoints()[0]);

        var nodes = await reader.ListNodesAsync(default);
        foreach (var node in nodes)
        {
            await worker.SetNodeStateAsync(node.Name, NodeState.Draining, default);
        }
        var memoryBefore = await UsedMemoryAsync(server);
        var paths = new JobPaths(cluster.SharedRoot);
        var fill = Stopwatch.StartNew();
        await FillAsync(master, settings.QueueJobs, paths);
        var fillSeconds = fill.Elapsed.TotalSeconds;
        var bytesPerJob = (await UsedMemoryAsync(server) - memoryBefore) / (double)settings.QueueJobs;

        var api = await TimeAsync(async () => (await client.GetFromJsonAsync<List<JobView>>("/api/v1/jobs", AtlasJson.Options))!.Count);
        using var home = new TempFolder("atlas-bench-home");
        var cli = await TimeAsync(async () =>
        {
            var context = new CliContext(TextWriter.Null, TextWriter.Null, name => name == "ATLAS_URL" ? cluster.GatewayUrl : null, home.Path);
            return await AtlasCli.RunAsync(["ls"], context) == 0 ? 1 : throw new InvalidOperationException("atlas ls failed");
        });
        var masterRss = MasterResidentBytes(cluster);

        var passes = await PlacementPassesAsync([1_000, 10_000, settings.QueueJobs]);

        // Drain: the nodes take work again; the scheduler hears of it at once.
        var queuedBefore = await redis.GetDatabase().SortedSetLengthAsync(RedisKeys.Queue);
        var drain = Stopwatch.StartNew();
        foreach (var node in nodes)
        {
            await worker.SetNodeStateAsync(node.Name, NodeState.Ready, default);
        }
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RedisKeys.SchedulerChannel), "node");
        await Task.Delay(TimeSpan.FromSeconds(settings.Seconds));
        var db = redis.GetDatabase();
        var left = await db.SortedSetLengthAsync(RedisKeys.Queue) + await db.SortedSetLengthAsync(RedisKeys.Leases);
        var drainPerSecond = (queuedBefore - left) / drain.Elapsed.TotalSeconds;

        return new QueueResults(settings.QueueJobs, nodes.Count, fillSeconds, bytesPerJob, api, cli, masterRss, passes, drainPerSecond, settings.Seconds);
    }

    private static async Task FillAsync(MasterJobStore master, int count, JobPaths? paths)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < count)
            {
                var id = JobId.New(DateTimeOffset.UtcNow);
                if (paths is not null)
                {
                    Directory.CreateDirectory(paths.Work(id));
                }
                await master.SubmitAsync(id, NoOp, JobOwner.Local, null, null, default);
            }
        }));
    }

    /// <summary>
    /// The placement pass on a redis-server of the bench's own: one node with one slot, which a
    /// pass fills and the bench frees again (the job claimed, started and completed), at each
    /// queue length. Returns the median and p99 of the pass's round trip per length.
    /// </summary>
    private static async Task<IReadOnlyList<(int Queued, double P50Ms, double P99Ms)>> PlacementPassesAsync(int[] lengths)
    {
        var own = new RedisServer();
        await own.InitializeAsync();
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(own.ConnectionString);
            var stores = new JobStores(redis);
            var lease = TimeSpan.FromMinutes(5);
            var epoch = await stores.Master.LeadAsync("bench", TimeSpan.FromHours(1), default);
            await stores.Worker.RegisterNodeAsync(new NodeRegistration("probe", "http://127.0.0.1:1", "process", 1), TimeSpan.FromHours(1), default);
            var results = new List<(int, double, double)>();
            var queued = 0;
            foreach (var length in lengths.Distinct().Order())
            {
                await FillAsync(stores.Master, length + Calls + 5 - queued, null);
                queued = length + Calls + 5;
                var times = new List<double>(Calls);
                for (var i = 0; i < Calls + 5; i++)
                {
                    var clock = Stopwatch.StartNew();
                    var placed = (await stores.Master.PlaceAsync(256, lease, epoch, default)).Single();
                    if (i >= 5)
                    {
                        times.Add(clock.Elapsed.TotalMilliseconds); // the first few warm the script cache
                    }
                    var fence = (await stores.ClaimAndStartAsync(placed.Id, "probe", lease, default)).Fence;
                    await stores.Worker.CompleteAsync(placed.Id, "probe", fence, JobState.Succeeded, 0, null, default);
                    queued--;
                }
                times.Sort();
                results.Add((length, Scenarios.Percentile(times, 0.5), Scenarios.Percentile(times, 0.99)));
            }
            return results;
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    private static async Task<(double P50Ms, double P99Ms)> TimeAsync(Func<Task<int>> call)
    {
        await call(); // warm
        var times = new List<double>(Calls);
        for (var i = 0; i < Calls; i++)
        {
            var clock = Stopwatch.StartNew();
            await call();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return (Scenarios.Percentile(times, 0.5), Scenarios.Percentile(times, 0.99));
    }

    // The master of this cluster, whatever started it (DCP runs it outside the bench's process tree): VmRSS in bytes.
    private static long MasterResidentBytes(ClusterProcess cluster)
    {
        long total = 0;
        foreach (var entry in LeftoverProcesses.Find(cluster.SharedRoot).Where(e => e.Contains("Atlas.Master", StringComparison.Ordinal)))
        {
            var pid = entry[..entry.IndexOf(':', StringComparison.Ordinal)];
            var rss = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            total += rss is null ? 0 : long.Parse(rss.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        return total;
    }

    private static async Task<long> UsedMemoryAsync(IServer server)
    {
        var info = await server.InfoAsync("memory");
        return long.Parse(info.SelectMany(g => g).First(p => p.Key == "used_memory").Value, CultureInfo.InvariantCulture);
    }
}
