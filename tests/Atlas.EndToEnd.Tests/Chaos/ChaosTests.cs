using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.EndToEnd.Tests.Chaos;

/// <summary>
/// Issue 3's chaos test: 2 masters, 3 workers (process runtime) and a real redis-server
/// (<c>appendfsync always</c>) run 300 jobs of random length and exit code while workers are
/// SIGKILLed and restarted again and again, the active master is SIGKILLed twice and Redis is
/// SIGKILLed and restarted once. Each job appends <c>id attempt fence</c> to its own file before
/// it exits. Then: every accepted job ended exactly once, with the exit code of the attempt that
/// finished, and nothing is left running. Replay with <c>ATLAS_CHAOS_SEED</c>.
/// Issue 12's additions: every worker declares GPUs 0 and 1, and about a third of the jobs ask
/// for one or two; three arrays of ten run at most three at a time; twenty jobs wait on others
/// (<c>--after</c>). No GPU is ever held by two jobs of one node (sampled in Redis all along, and
/// checked by the jobs themselves with a lock per GPU), no array runs more than its limit, and a
/// dependent runs only after its dependency succeeded, or ends cancelled with the reason.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int Jobs = 300;
    private const int SubmitClients = 6;
    private const int Arrays = 3;
    private const int ArrayJobs = 10;
    private const int ArrayLimit = 3;
    private const int Dependents = 20;

    // Short leases so that lapsed ones show within the test's few minutes; the ratios are the defaults' (15 s / 5 s).
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Atlas__Worker__HeartbeatSeconds"] = "1",
        ["Atlas__LeaseSeconds"] = "3",
        ["Atlas__Worker__InboxCheckSeconds"] = "1",
        ["Atlas__Worker__DrainGraceSeconds"] = "2",
        ["Atlas__Worker__Process__StopGracePeriod"] = "00:00:01",
        ["Atlas__Master__LeaderLeaseSeconds"] = "2",
        ["Atlas__Master__ReapIntervalSeconds"] = "0.5",
        ["Atlas__Master__IdleRescheduleSeconds"] = "1",
        ["Atlas__Master__MaxAttempts"] = "5",
        ["Atlas__Worker__Gpus"] = "0,1",
    };

    [Fact]
    public async Task Cluster_UnderKillsAndRedisRestart_EveryJobEndsOnceWithItsAttemptsExitCode()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ATLAS_CHAOS_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Random.Shared.Next();
        output.WriteLine($"chaos seed {seed} (replay: ATLAS_CHAOS_SEED={seed})");
        var random = new Random(seed);
        // The test stops by itself: everything below gives up at this deadline and still cleans up.
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        overall.CancelAfter(TimeSpan.FromMinutes(3.5)); // plus at most a minute to stop: inside CI's 5 minutes
        var ct = overall.Token;

        await using var cluster = await ChaosCluster.StartAsync(masters: 2, workers: 3, slots: 4, Settings, ct);
        var marks = Path.Combine(cluster.DataDir, "marks");
        Directory.CreateDirectory(marks);
        var locks = Path.Combine(cluster.DataDir, "gpu-locks");
        Directory.CreateDirectory(locks);
        using var http = new HttpClient { BaseAddress = new Uri(cluster.GatewayUrl), Timeout = TimeSpan.FromSeconds(30) };
        using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.RedisConnectionString + ",abortConnect=false");
        var store = new JobStores(redis);
        var clock = Stopwatch.StartNew();
        var stats = new ChaosStats();

        // The plan of each job is drawn up front, so a seed replays the same load.
        var plans = Enumerable.Range(0, Jobs).Select(_ => new JobPlan(random.Next(0, 3001), random.Next(0, 4), random.Next(0, 12) switch { < 3 => 1, 3 => 2, _ => 0 })).ToArray();
        var faultSeed = random.Next();
        var accepted = new ConcurrentBag<string>();
        var next = -1;
        var submitting = Task.WhenAll(Enumerable.Range(0, SubmitClients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Jobs)
            {
                while (!ct.IsCancellationRequested)
                {
                    if (await TrySubmitAsync(http, Spec(marks, locks, plans[i]), stats, ct) is { } id)
                    {
                        accepted.Add(id);
                        break;
                    }
                    await Task.Delay(200, ct);
                }
            }
        }));

        using var stopFaults = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var workerFaults = KillWorkersAsync(cluster, new Random(faultSeed), stats, stopFaults.Token);
        var otherFaults = KillMastersAndRedisAsync(cluster, redis, stats, stopFaults.Token);
        var groups = new ConcurrentBag<string>();
        var sampling = SampleAsync(redis, groups, stats, stopFaults.Token);
        var dependencySeed = random.Next();
        var more = SubmitArraysAndDependentsAsync(http, marks, locks, accepted, groups, new Random(dependencySeed), stats, ct);

        string[] all = [];
        try
        {
            await submitting;
            await more;
            await otherFaults; // both master kills and the Redis restart happen while jobs run
            while (true)
            {
                all = [.. (await redis.GetDatabase().SortedSetRangeByRankAsync(RedisKeys.Jobs)).Select(v => (string)v!)];
                var states = await Task.WhenAll(all.Select(id => store.Reader.StateAsync(id, ct)));
                if (states.All(st => st is { } state && JobStateMachine.IsTerminal(state)))
                {
                    break;
                }
                await Task.Delay(500, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Out of time: what the services said last is the clue.
            output.WriteLine(string.Join('\n', cluster.Masters.Concat(cluster.Workers).Select(n => cluster.Tail(n, 40))));
            throw;
        }
        finally
        {
            await stopFaults.CancelAsync();
            await workerFaults;
            await sampling;
        }
        var ran = clock.Elapsed;

        // Every accepted job is in the store, ended once, and its exit code is its last attempt's.
        var problems = new List<string>();
        foreach (var id in accepted.Where(id => !all.Contains(id)))
        {
            problems.Add($"{id}: accepted (201) but not in Redis");
        }
        var byState = new Dictionary<JobState, int>();
        foreach (var id in all)
        {
            var job = (await store.Reader.GetAsync(id, ct))!;
            var view = job.View;
            byState[view.State] = byState.GetValueOrDefault(view.State) + 1;
            stats.Requeues += view.History.Count(h => h.State == JobState.Queued) - 1;
            stats.Lost += view.History.Count(h => h.State == JobState.Lost);
            var endings = view.History.Count(h => JobStateMachine.IsTerminal(h.State));
            if (endings != 1)
            {
                problems.Add($"{id}: {endings} terminal entries in its history");
            }
            var lines = File.Exists(Path.Combine(marks, id)) ? File.ReadAllLines(Path.Combine(marks, id)) : [];
            if (view.ExitCode is { } exit)
            {
                var planned = int.Parse(job.Spec.Env["CHAOS_EXIT"], CultureInfo.InvariantCulture);
                var last = lines.LastOrDefault()?.Split(' ');
                if (exit != planned)
                {
                    problems.Add($"{id}: exit code {exit} recorded, the job exits with {planned}");
                }
                if (last is null || last[1] != view.Attempt.ToString(CultureInfo.InvariantCulture) || last[2] != job.Fence.ToString(CultureInfo.InvariantCulture))
                {
                    problems.Add($"{id}: attempt {view.Attempt} (fence {job.Fence}) recorded as finishing, but its file ends with '{lines.LastOrDefault()}' ({lines.Length} lines)");
                }
            }
            else if (job.Spec.After is [var dep] && view.State == JobState.Cancelled)
            {
                var ended = (await store.Reader.GetAsync(dep, ct))?.View;
                var why = ended?.State == JobState.Cancelled ? $"dependency {dep} was cancelled" : $"dependency {dep} {ended?.State.ToString().ToLowerInvariant()}";
                if (ended?.State == JobState.Succeeded || view.Reason != why)
                {
                    problems.Add($"{id}: cancelled ({view.Reason}) while its dependency {dep} ended {ended?.State}");
                }
            }
            else if (view.State != JobState.Failed || view.Reason?.StartsWith("lost on node", StringComparison.Ordinal) != true)
            {
                problems.Add($"{id}: ended {view.State} without an exit code ({view.Reason})");
            }
            if (job.Spec.After is [var after] && view.StartedAt is { } started)
            {
                var dependency = (await store.Reader.GetAsync(after, ct))?.View;
                if (dependency?.State != JobState.Succeeded || dependency.FinishedAt > started)
                {
                    problems.Add($"{id}: started at {started:O} though its dependency {after} ended {dependency?.State} at {dependency?.FinishedAt:O}");
                }
            }
        }
        var conflicts = Path.Combine(marks, "conflicts");
        if (File.Exists(conflicts))
        {
            problems.AddRange(File.ReadAllLines(conflicts).Select(line => $"a job saw its GPU held by another: {line}"));
        }
        problems.AddRange(stats.Violations.Distinct().Take(20));

        await cluster.StopAsync();
        var left = cluster.ProcessesLeft();
        var containers = await ContainersLeftAsync(cluster.ClusterId);

        output.WriteLine($"jobs: {all.Length} ({accepted.Count} acknowledged, {plans.Count(p => p.Exit == 0)} planned to exit 0) in {ran.TotalSeconds:0} s; "
            + string.Join(", ", byState.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}")));
        output.WriteLine($"submits refused or failed while faults ran (retried): {stats.SubmitFailures}");
        output.WriteLine($"requeues: {stats.Requeues} (of which after a lapsed lease: {stats.Lost})");
        output.WriteLine($"kills: {stats.WorkerKills} workers, {stats.MasterKills} masters, {stats.RedisRestarts} Redis restarts");
        output.WriteLine($"takeover after a master kill: {string.Join(", ", stats.Takeovers.Select(t => $"{t.TotalSeconds:0.0} s"))}");
        output.WriteLine($"Redis down for {stats.RedisDown.TotalSeconds:0.0} s; first job placed after it: {stats.RedisRecovered.TotalSeconds:0.0} s");
        output.WriteLine($"GPU jobs: {plans.Count(p => p.Gpus > 0)}; arrays: {groups.Count} of {ArrayJobs} jobs each (at most {ArrayLimit} running); dependents: {Dependents}; samples of GPUs and groups: {stats.Samples}");

        problems.ShouldBeEmpty(string.Join('\n', problems.Take(20)) + "\n" + string.Join('\n', cluster.Workers.Concat(cluster.Masters).Select(n => cluster.Tail(n, 30))));
        left.ShouldBeEmpty();
        containers.ShouldBeEmpty();
        // The GPU and group checks above held only if they ran, and on everything the test meant to submit.
        stats.Samples.ShouldBeGreaterThan(0, "the GPU and group sampler never read Redis");
        groups.Count.ShouldBe(Arrays);
        // A submit whose answer was lost and that was sent again may be in Redis twice: at least these, then.
        all.Length.ShouldBeGreaterThanOrEqualTo(accepted.Count + Arrays * ArrayJobs + Dependents, "every single job, array job and dependent is in Redis");
        stats.Takeovers.Count.ShouldBe(2);
    }

    private sealed record JobPlan(int Millis, int Exit, int Gpus, string? After = null);

    // Each job appends "id attempt fence" to its own file before it exits. A GPU job first takes
    // a lock per GPU it was given (flock, released when its process dies), and notes in
    // marks/conflicts when one is still held a second later, or when it got another number of GPUs.
    private static JobSpec Spec(string marks, string locks, JobPlan plan)
    {
        var seconds = (plan.Millis / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
        var gpuLocks = plan.Gpus == 0 ? "" :
            $"[ \"$(echo \"$CUDA_VISIBLE_DEVICES\" | tr ',' '\\n' | grep -c .)\" = {plan.Gpus} ] || echo \"$ATLAS_JOB_ID $ATLAS_ATTEMPT got '$CUDA_VISIBLE_DEVICES' for {plan.Gpus} GPUs\" >> '{marks}/conflicts'; "
            + string.Concat(new[] { 0, 1 }.Select(g =>
                $"case \",$CUDA_VISIBLE_DEVICES,\" in *,{g},*) exec {8 + g}>'{locks}/'\"$ATLAS_NODE-{g}\"; flock -w 1 {8 + g} || echo \"$ATLAS_JOB_ID $ATLAS_ATTEMPT on $ATLAS_NODE GPU {g}\" >> '{marks}/conflicts';; esac; "));
        return new JobSpec
        {
            Project = "chaos",
            Command = ["/bin/sh", "-c", $"{gpuLocks}sleep {seconds}; echo \"$ATLAS_JOB_ID $ATLAS_ATTEMPT $ATLAS_FENCE\" >> '{marks}/'\"$ATLAS_JOB_ID\"; exit $CHAOS_EXIT"],
            Env = new Dictionary<string, string> { ["CHAOS_EXIT"] = plan.Exit.ToString(CultureInfo.InvariantCulture) },
            Resources = plan.Gpus == 0 ? null : new JobResources { Gpus = plan.Gpus },
            After = plan.After is null ? null : [plan.After],
        };
    }

    private static async Task<string?> TrySubmitAsync(HttpClient http, JobSpec spec, ChaosStats stats, CancellationToken ct)
    {
        try
        {
            using var response = await GatewayJobs.PostAsync(http, spec, ct);
            if (response.IsSuccessStatusCode)
            {
                return (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, ct))!.Id;
            }
        }
        catch (HttpRequestException)
        {
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
        }
        Interlocked.Increment(ref stats.SubmitFailures);
        return null;
    }

    // While the first jobs run: three arrays (a third of them on GPUs), and jobs that wait on
    // jobs already accepted, whatever those will do. Each is retried until the cluster takes it.
    private static async Task SubmitArraysAndDependentsAsync(
        HttpClient http, string marks, string locks, ConcurrentBag<string> accepted, ConcurrentBag<string> groups, Random random, ChaosStats stats, CancellationToken ct)
    {
        for (var a = 0; a < Arrays; a++)
        {
            var spec = Spec(marks, locks, new JobPlan(random.Next(200, 1500), 0, a == 0 ? 1 : 0));
            var group = new GroupSpec { Array = new JobArray(0, ArrayJobs - 1), MaxRunning = ArrayLimit };
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    using var response = await GatewayJobs.PostGroupAsync(http, spec, group, ct);
                    if (response.IsSuccessStatusCode)
                    {
                        groups.Add((await response.Content.ReadFromJsonAsync<GroupView>(AtlasJson.Options, ct))!.Id);
                        break;
                    }
                }
                catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
                {
                }
                Interlocked.Increment(ref stats.SubmitFailures);
                await Task.Delay(200, ct);
            }
        }
        for (var d = 0; d < Dependents; d++)
        {
            while (accepted.IsEmpty)
            {
                await Task.Delay(50, ct);
            }
            var ids = accepted.ToArray();
            var plan = new JobPlan(random.Next(0, 1000), 0, random.Next(0, 4) == 0 ? 1 : 0, ids[random.Next(ids.Length)]);
            while (!ct.IsCancellationRequested && await TrySubmitAsync(http, Spec(marks, locks, plan), stats, ct) is null)
            {
                await Task.Delay(200, ct);
            }
        }
    }

    // Every 100 ms until the faults stop: the GPU ids of the jobs each node holds (no id twice on
    // one node) and the running jobs of each group (never above its limit), as Redis has them.
    // node, job id, its GPU ids, for every job on every node (nodes in order, so a node's jobs are together).
    private const string HeldGpus = """
        local out = {}
        for _, node in ipairs(redis.call('SMEMBERS', 'atlas:nodes')) do
          for _, id in ipairs(redis.call('SMEMBERS', 'atlas:node:' .. node .. ':jobs')) do
            out[#out + 1] = node
            out[#out + 1] = id
            out[#out + 1] = redis.call('HGET', 'atlas:job:' .. id, 'gpuIds') or ''
          end
        end
        return out
        """;

    private static async Task SampleAsync(ConnectionMultiplexer redis, ConcurrentBag<string> groups, ChaosStats stats, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(100, ct);
                try
                {
                    var db = redis.GetDatabase();
                    // One script, so the jobs of every node and their GPUs are read at one instant.
                    var held = (RedisResult[])(await db.ScriptEvaluateAsync(HeldGpus))!;
                    for (var i = 0; i + 2 < held.Length; i += 3)
                    {
                        var (node, id, gpus) = ((string)held[i]!, (string)held[i + 1]!, (string)held[i + 2]!);
                        foreach (var gpu in gpus.Split(',', StringSplitOptions.RemoveEmptyEntries))
                        {
                            for (var j = i + 3; j + 2 < held.Length && (string)held[j]! == node; j += 3)
                            {
                                if (((string)held[j + 2]!).Split(',').Contains(gpu))
                                {
                                    stats.Violations.Add($"GPU {gpu} of {node} held by {id} and {(string)held[j + 1]!} at once");
                                }
                            }
                        }
                    }
                    foreach (var key in groups)
                    {
                        var running = await db.SetLengthAsync(RedisKeys.GroupActive(key));
                        if (running > ArrayLimit)
                        {
                            stats.Violations.Add($"group {key} ran {running} jobs at once, above its limit of {ArrayLimit}");
                        }
                    }
                    stats.Samples++;
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    // Redis is being restarted: sample again when it is back.
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    // A random worker is SIGKILLed every 1-3 s and started again after 0.2-5 s: sometimes within
    // its lease (its restart requeues its jobs), sometimes after it lapsed (the master requeues them).
    private static async Task KillWorkersAsync(ChaosCluster cluster, Random random, ChaosStats stats, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(random.Next(1000, 3000), ct);
                var worker = cluster.Workers[random.Next(cluster.Workers.Count)];
                cluster.Kill(worker);
                stats.WorkerKills++;
                try
                {
                    await Task.Delay(random.Next(200, 5000), ct);
                }
                finally
                {
                    await cluster.StartAsync(worker, CancellationToken.None);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    // The active master at 6 s and 26 s; Redis (SIGKILL, then the same port and files) at 15 s.
    private static async Task KillMastersAndRedisAsync(ChaosCluster cluster, ConnectionMultiplexer redis, ChaosStats stats, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromSeconds(6), ct);
        await KillLeaderAsync(cluster, redis, stats, ct);

        await Task.Delay(TimeSpan.FromSeconds(6), ct);
        var down = Stopwatch.StartNew();
        cluster.Kill("redis");
        stats.RedisRestarts++;
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        await cluster.StartAsync("redis", ct);
        stats.RedisDown = down.Elapsed;
        string? before;
        while ((before = await TryGetAsync(redis, "atlas:fence")) is null)
        {
            await Task.Delay(50, ct); // until the test's own connection is back
        }
        while ((await TryGetAsync(redis, "atlas:fence")) is not { } fence || fence == before)
        {
            await Task.Delay(50, ct); // until the leader has placed a job again
        }
        stats.RedisRecovered = down.Elapsed;

        await Task.Delay(TimeSpan.FromSeconds(8), ct);
        await KillLeaderAsync(cluster, redis, stats, ct);
    }

    private static async Task KillLeaderAsync(ChaosCluster cluster, ConnectionMultiplexer redis, ChaosStats stats, CancellationToken ct)
    {
        string? leader;
        while ((leader = (await TryGetAsync(redis, "atlas:leader"))?.Split('|')[0]) is null)
        {
            await Task.Delay(50, ct);
        }
        var took = Stopwatch.StartNew();
        cluster.Kill(leader);
        stats.MasterKills++;
        string? now;
        while ((now = (await TryGetAsync(redis, "atlas:leader"))?.Split('|')[0]) is null || now == leader)
        {
            await Task.Delay(20, ct);
        }
        stats.Takeovers.Add(took.Elapsed);
        await cluster.StartAsync(leader, ct); // back as the standby, for the next kill
    }

    private static async Task<string?> TryGetAsync(ConnectionMultiplexer redis, string key)
    {
        try
        {
            return await redis.GetDatabase().StringGetAsync(key);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return null;
        }
    }

    private static Task<IReadOnlyList<string>> ContainersLeftAsync(string clusterId) =>
        TestDocker.ClusterContainersAsync(clusterId, CancellationToken.None);
}
