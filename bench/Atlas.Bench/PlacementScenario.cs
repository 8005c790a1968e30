using System.Diagnostics;
using System.Globalization;
using Atlas.Core.Jobs;
using Atlas.Core.Scheduling;
using Atlas.Core.Storage;
using Atlas.Testing;

namespace Atlas.Bench;

/// <summary>
/// <c>--scenario placement</c>: a mixed queue of 1,000 jobs (GPU and CPU, two users, random sizes,
/// durations and time limits from a fixed seed) placed by the real <see cref="PlacementPolicy"/>
/// with simulated time, once with <c>fair</c> and once with <c>fifo</c>. Running 1,000 real jobs
/// of minutes each would take hours; the policy is the part under test, and it is the same code the
/// master runs. Jobs end at their duration (never past their time limit); a pass runs at each
/// arrival and each end, as the master's pass runs on submit and freed events.
/// </summary>
internal sealed class PlacementScenario(BenchSettings settings)
{
    private static readonly PlacementNode[] Cluster =
    [
        new("gpu-1", 8, ["0", "1", "2", "3"], 32_000, 128L << 30),
        new("gpu-2", 8, ["0", "1", "2", "3"], 32_000, 128L << 30),
        new("gpu-3", 8, ["0", "1", "2", "3"], 32_000, 128L << 30),
        new("cpu-1", 8, [], 32_000, 64L << 30),
        new("cpu-2", 8, [], 32_000, 64L << 30),
    ];

    /// <summary>
    /// With <c>--queue-jobs N</c> (after the simulation): N jobs of 10 users queued in a real
    /// redis-server, every slot taken, and the time of a whole pass (snapshot, policy, apply) on
    /// that queue, the master's code end to end: a long queue must not make a pass slow.
    /// </summary>
    public async Task MeasureLongQueueAsync(TextWriter output)
    {
        await using var redis = new RedisServer();
        await redis.InitializeAsync();
        using var connection = RedisConnector.Connect(redis.ConnectionString);
        var master = new MasterJobStore(connection);
        var placement = new PlacementStore(connection);
        var epoch = await master.LeadAsync("bench", TimeSpan.FromHours(1), CancellationToken.None);
        await FakeNodes.RegisterAsync(connection, "n1", slots: 4, gpus: 4, aliveFor: TimeSpan.FromHours(1));
        var random = new Random(settings.Seed);
        var clock = Stopwatch.StartNew();
        const int Parallel = 64;
        for (var start = 0; start < settings.QueueJobs; start += Parallel)
        {
            await Task.WhenAll(Enumerable.Range(start, Math.Min(Parallel, settings.QueueJobs - start)).Select(i =>
            {
                var owner = $"user-{i % 10}";
                var spec = new JobSpec { Command = ["true"], Priority = random.Next(3), Resources = new JobResources { Gpus = random.Next(3) } };
                return master.SubmitAsync($"q{i:D7}", spec, new JobOwner(owner, owner), null, null, CancellationToken.None);
            }));
        }
        var submitS = clock.Elapsed.TotalSeconds;
        var options = new SchedulingOptions();
        var times = new List<double>();
        var placed = 0;
        for (var pass = 0; pass < 25; pass++)
        {
            clock.Restart();
            var snapshot = await placement.ReadSnapshotAsync(options.HeadsPerOwner, CancellationToken.None);
            var plan = PlacementPolicy.Plan(snapshot, options);
            placed += (await placement.ApplyAsync(plan, TimeSpan.FromHours(1), TimeSpan.FromMinutes(1), epoch, CancellationToken.None)).Placed.Count;
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"long queue: {settings.QueueJobs} jobs of 10 users queued in {submitSeconds(submitS)}; 25 passes on it (the first places {placed} on 4 slots, the rest find every slot taken): " +
            $"p50 {Percentile(times, 0.5):0.0} ms, max {times[^1]:0.0} ms per pass (snapshot + policy + apply)"));

        static string submitSeconds(double s) => string.Create(CultureInfo.InvariantCulture, $"{s:0.0} s");
    }

    public void Run(TextWriter output)
    {
        var jobs = Generate(settings.Jobs, settings.Seed);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"placement: {jobs.Count} jobs (seed {settings.Seed}), alice {jobs.Count(j => j.Owner == "alice")} / bob {jobs.Count(j => j.Owner == "bob")}, " +
            $"{jobs.Count(j => j.Gpus > 0)} GPU jobs; cluster {Cluster.Length} nodes, {Cluster.Sum(n => n.Slots)} slots, {Cluster.Sum(n => n.Gpus.Count)} GPUs"));
        output.WriteLine();
        output.WriteLine("Utilisation over the whole run; each user's share of the weighted usage (1 + GPUs x 4 per second) accrued while both users had jobs waiting:");
        output.WriteLine();
        output.WriteLine("| policy | makespan | slot use | GPU use | contended time | alice share | bob share | passes | ms/pass |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|");
        var results = new List<(string Policy, SimResult Result)>();
        foreach (var policy in new[] { PlacementPolicyKind.Fair, PlacementPolicyKind.Fifo })
        {
            var result = Simulate(jobs, new SchedulingOptions { Policy = policy });
            results.Add((policy.ToString().ToLowerInvariant(), result));
            var r = result;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {policy.ToString().ToLowerInvariant()} | {r.MakespanS / 3600:0.00} h | {r.SlotUse:P1} | {r.GpuUse:P1} | {r.ContendedS / 3600:0.00} h | {r.Share("alice"):P1} | {r.Share("bob"):P1} | " +
                $"{r.Passes} | {r.MsPerPass:0.00} |"));
        }
        output.WriteLine();
        output.WriteLine("Wait from submit to start, by size class (minutes):");
        output.WriteLine();
        output.WriteLine("| class | jobs | fair p50 | fair p99 | fifo p50 | fifo p99 |");
        output.WriteLine("|---|---|---|---|---|---|");
        foreach (var size in new[] { "cpu", "1 GPU", "2 GPUs", "4 GPUs" })
        {
            var fair = results[0].Result.Waits(size);
            var fifo = results[1].Result.Waits(size);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {size} | {fair.Count} | {Percentile(fair, 0.5) / 60:0.0} | {Percentile(fair, 0.99) / 60:0.0} | {Percentile(fifo, 0.5) / 60:0.0} | {Percentile(fifo, 0.99) / 60:0.0} |"));
        }
        output.WriteLine();
        output.WriteLine("Wait p50 / p99 by user (minutes):");
        output.WriteLine();
        foreach (var (policy, result) in results)
        {
            foreach (var user in new[] { "alice", "bob" })
            {
                var waits = result.UserWaits(user);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- {policy}, {user}: {Percentile(waits, 0.5) / 60:0.0} / {Percentile(waits, 0.99) / 60:0.0}"));
            }
        }
    }

    /// <summary>alice runs mostly GPU jobs, bob mostly CPU jobs; both submit over the first four hours.</summary>
    private static List<SimJob> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var jobs = new List<SimJob>(count);
        for (var i = 0; i < count; i++)
        {
            var owner = random.NextDouble() < 0.5 ? "alice" : "bob";
            var gpuJob = random.NextDouble() < (owner == "alice" ? 0.7 : 0.2);
            var gpus = !gpuJob ? 0 : random.NextDouble() switch { < 0.5 => 1, < 0.8 => 2, _ => 4 };
            var cpus = gpuJob ? 4_000 * gpus : new[] { 1_000, 2_000, 4_000, 8_000 }[random.Next(4)];
            var memory = (long)(gpuJob ? 16 * gpus : 2 << random.Next(4)) << 30;
            var durationS = (int)(60 + (random.NextDouble() * random.NextDouble() * 3600 * (gpuJob ? 1 + gpus / 2.0 : 1)));
            long? limitS = random.NextDouble() < 0.1 ? null : (long)(durationS * (1.2 + random.NextDouble()));
            var arrivalS = (long)(random.NextDouble() * 4 * 3600);
            jobs.Add(new SimJob($"j{i:D4}", owner, arrivalS * 1000, gpus, cpus, memory, durationS * 1000L, limitS * 1000));
        }
        return [.. jobs.OrderBy(j => j.ArrivalMs).ThenBy(j => j.Id, StringComparer.Ordinal)];
    }

    private static SimResult Simulate(IReadOnlyList<SimJob> jobs, SchedulingOptions options)
    {
        var waiting = new List<SimJob>();
        var running = new Dictionary<string, (SimJob Job, string Node, IReadOnlyList<string> Gpus, long StartMs)>(StringComparer.Ordinal);
        var starts = new Dictionary<string, long>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, double> usage = new Dictionary<string, double>();
        long usageAt = 0;
        string? reserved = null;
        var next = 0;
        var now = 0L;
        var passes = 0;
        var policyTime = TimeSpan.Zero;
        var contended = new Dictionary<string, double>(StringComparer.Ordinal);
        var contendedS = 0.0;
        while (starts.Count < jobs.Count || running.Count > 0)
        {
            // The next event: an arrival or an end.
            var nextArrival = next < jobs.Count ? jobs[next].ArrivalMs : long.MaxValue;
            var nextEnd = running.Count > 0 ? running.Values.Min(r => r.StartMs + r.Job.DurationMs) : long.MaxValue;
            if (nextArrival == long.MaxValue && nextEnd == long.MaxValue)
            {
                throw new InvalidOperationException($"{waiting.Count} jobs can never be placed.");
            }
            var then = Math.Min(nextArrival, nextEnd);
            if (waiting.Select(j => j.Owner).Distinct().Count() == 2)
            {
                var seconds = (then - now) / 1000.0;
                contendedS += seconds;
                foreach (var r in running.Values)
                {
                    contended[r.Job.Owner] = contended.GetValueOrDefault(r.Job.Owner) + seconds * PlacementPolicy.Weight(r.Job.Gpus, options);
                }
            }
            now = then;
            while (next < jobs.Count && jobs[next].ArrivalMs == now)
            {
                waiting.Add(jobs[next++]);
            }
            foreach (var ended in running.Values.Where(r => r.StartMs + r.Job.DurationMs == now).Select(r => r.Job.Id).ToList())
            {
                running.Remove(ended);
            }
            while (true)
            {
                var snapshot = new PlacementSnapshot
                {
                    NowMs = now,
                    Nodes = Cluster,
                    RegisteredNodes = Cluster.Length,
                    Waiting = [.. waiting.GroupBy(j => j.Owner).SelectMany(g => g.Take(options.HeadsPerOwner)).Select(j => j.ToWaiting())],
                    QueuedByOwner = waiting.GroupBy(j => j.Owner).ToDictionary(g => g.Key, g => (long)g.Count()),
                    Running = [.. running.Values.Select(r => new RunningJob(r.Job.Id, r.Node, r.Job.Owner, r.Gpus, r.Job.CpuMillis, r.Job.MemoryBytes, r.StartMs,
                        r.Job.LimitMs is { } l ? r.StartMs + l : null))],
                    Usage = usage,
                    UsageAtMs = usageAt,
                    ReservedJob = reserved,
                };
                var clock = Stopwatch.StartNew();
                var plan = PlacementPolicy.Plan(snapshot, options);
                policyTime += clock.Elapsed;
                passes++;
                usage = plan.Usage;
                usageAt = plan.UsageAtMs;
                reserved = plan.Reservation?.JobId;
                foreach (var decision in plan.Decisions)
                {
                    var job = waiting.First(j => j.Id == decision.JobId);
                    waiting.Remove(job);
                    running[job.Id] = (job, decision.Node, decision.GpuIds, now);
                    starts[job.Id] = now;
                }
                if (plan.Decisions.Count == 0)
                {
                    break;
                }
            }
        }
        return new SimResult(jobs, starts, now / 1000.0, passes, policyTime.TotalMilliseconds / passes, contended, contendedS);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private sealed record SimJob(string Id, string Owner, long ArrivalMs, int Gpus, long CpuMillis, long MemoryBytes, long DurationMs, long? LimitMs)
    {
        public WaitingJob ToWaiting() => new(Id, Owner, Owner, 0, ArrivalMs, Gpus, CpuMillis, MemoryBytes, LimitMs, null, []);

        public string Size => Gpus switch { 0 => "cpu", 1 => "1 GPU", _ => $"{Gpus} GPUs" };
    }

    private sealed record SimResult(
        IReadOnlyList<SimJob> Jobs, IReadOnlyDictionary<string, long> Starts, double MakespanS, int Passes, double MsPerPass,
        IReadOnlyDictionary<string, double> Contended, double ContendedS)
    {
        public double Share(string user) => Contended.Values.Sum() is > 0 and var total ? Contended.GetValueOrDefault(user) / total : 0;

        public double SlotUse => Jobs.Sum(j => j.DurationMs / 1000.0) / (Cluster.Sum(n => n.Slots) * MakespanS);

        public double GpuUse => Jobs.Sum(j => j.Gpus * j.DurationMs / 1000.0) / (Cluster.Sum(n => n.Gpus.Count) * MakespanS);

        public List<double> Waits(string size) => [.. Jobs.Where(j => j.Size == size).Select(Wait).Order()];

        public List<double> UserWaits(string user) => [.. Jobs.Where(j => j.Owner == user).Select(Wait).Order()];

        private double Wait(SimJob j) => (Starts[j.Id] - j.ArrivalMs) / 1000.0;
    }
}
