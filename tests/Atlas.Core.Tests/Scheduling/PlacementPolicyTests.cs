using Atlas.Core.Scheduling;

namespace Atlas.Core.Tests.Scheduling;

/// <summary>The pure placement policy: snapshots in, decisions and reasons out.</summary>
public sealed class PlacementPolicyTests
{
    private const long Now = 1_800_000_000_000;
    private const long Gib = 1L << 30;

    [Fact]
    public void Plan_TwoGpuJobsOnOneNode_GetDifferentGpuIds()
    {
        var plan = Plan([Node("n1", slots: 4, gpus: 2)], [Job("a", gpus: 1), Job("b", gpus: 1), Job("c", gpus: 1)]);

        plan.Decisions.Select(d => (d.JobId, string.Join(",", d.GpuIds))).ShouldBe([("a", "0"), ("b", "1")]);
        plan.Reasons["c"].ShouldStartWith("needs 1 GPU; none is free");
    }

    [Fact]
    public void Plan_GpusHeldByRunningJobs_AreNotGivenAgain()
    {
        var plan = Plan([Node("n1", slots: 4, gpus: 4)], [Job("a", gpus: 2)], [Running("r", "n1", gpuIds: ["0", "2"])]);

        plan.Decisions.Single().GpuIds.ShouldBe(["1", "3"]);
    }

    [Fact]
    public void Plan_MemoryAndCpu_PickTheNodeThatHasThem()
    {
        var plan = Plan(
            [Node("small", slots: 4, cpuMillis: 2000, memoryBytes: 4 * Gib), Node("big", slots: 4, cpuMillis: 16000, memoryBytes: 64 * Gib)],
            [Job("mem", memoryBytes: 8 * Gib, order: 1), Job("cpu", cpuMillis: 4000, order: 2), Job("huge", memoryBytes: 60 * Gib, order: 3)]);

        plan.Decisions.ToDictionary(d => d.JobId, d => d.Node).ShouldBe(new Dictionary<string, string> { ["mem"] = "big", ["cpu"] = "big" });
        plan.Reasons["huge"].ShouldStartWith("needs 60g of memory; the most free is 56g on big");
    }

    [Fact]
    public void Plan_BestFit_PutsACpuJobOnTheNodeWithoutGpus()
    {
        var plan = Plan([Node("gpu", slots: 4, gpus: 4), Node("cpu", slots: 4)], [Job("a")]);

        plan.Decisions.Single().Node.ShouldBe("cpu");
    }

    [Fact]
    public void Plan_TooFewGpusFree_SaysHowManyAndWhere()
    {
        var plan = Plan(
            [Node("worker-1", slots: 4, gpus: 4), Node("worker-3", slots: 4, gpus: 4)],
            [Job("big", gpus: 4)],
            [Running("r1", "worker-1", gpuIds: ["0", "1", "2", "3"]), Running("r3", "worker-3", gpuIds: ["0", "1"])]);

        plan.Decisions.ShouldBeEmpty();
        plan.Reasons["big"].ShouldStartWith("needs 4 GPUs; the largest free is 2 on worker-3");
    }

    [Fact]
    public void Plan_NoNodes_SaysSo()
    {
        Plan([], [Job("a")]).Reasons["a"].ShouldBe("no nodes");
    }

    /// <summary>
    /// The scripted sequence: node n1 has 4 GPUs, 2 of them held by a job whose time limit ends in
    /// 100 s. Queue, in order: big (4 GPUs), short (1 GPU, 50 s), long (1 GPU, no limit), cpu (no GPU,
    /// no limit) and a second node c1 without GPUs. Expected: big waits with n1 reserved from +100 s;
    /// short starts on n1 (it ends before then); long does not (it could delay big); cpu starts on c1.
    /// </summary>
    [Fact]
    public void Plan_BigJobCannotFit_ReservesItsNodeAndBackfillsOnlyWhatDoesNotDelayIt()
    {
        var plan = Plan(
            [Node("n1", slots: 8, gpus: 4), Node("c1", slots: 8)],
            [Job("big", gpus: 4, order: 1), Job("short", gpus: 1, order: 2, limitMs: 50_000), Job("long", gpus: 1, order: 3), Job("cpu", order: 4)],
            [Running("r", "n1", gpuIds: ["0", "1"], endMs: Now + 100_000)]);

        plan.Decisions.Select(d => (d.JobId, d.Node)).ShouldBe([("short", "n1"), ("cpu", "c1")]);
        plan.Reservation.ShouldBe(new Reservation("big", "n1", Now + 100_000));
        plan.Reasons["big"].ShouldContain("n1 is reserved for it");
        plan.Reasons["long"].ShouldStartWith("fits on n1, but n1 is reserved for job big");
    }

    [Fact]
    public void Plan_SmallJobBehindBigOne_RunsAtOnce()
    {
        var plan = Plan([Node("n1", slots: 8, gpus: 2)], [Job("big", gpus: 2, order: 1), Job("small", order: 2)], [Running("r", "n1", gpuIds: ["0"])]);

        plan.Decisions.Single().JobId.ShouldBe("small");
    }

    [Fact]
    public void Plan_ReservedNode_TakesJobsThatUseOnlyWhatTheReservedJobLeaves()
    {
        // big needs n1's 2 GPUs and 12 GiB of its 16; the running job holds both GPUs and 2 GiB
        // until +100 s. Then big leaves 4 GiB spare: one 3 GiB job without a time limit may run
        // beside it now, a second would delay it.
        var plan = Plan(
            [Node("n1", slots: 8, gpus: 2, memoryBytes: 16 * Gib)],
            [Job("big", gpus: 2, memoryBytes: 12 * Gib, order: 1), Job("cpu", memoryBytes: 3 * Gib, order: 2), Job("cpu2", memoryBytes: 3 * Gib, order: 3)],
            [Running("r", "n1", gpuIds: ["0", "1"], memoryBytes: 2 * Gib, endMs: Now + 100_000)]);

        plan.Decisions.Select(d => d.JobId).ShouldBe(["cpu"]);
        plan.Reasons["cpu2"].ShouldStartWith("fits on n1, but n1 is reserved for job big");
    }

    [Fact]
    public void Plan_ReservedJob_GoesFirstNextPassEvenWhenFairShareWouldNot()
    {
        // alice's big job held the reservation; bob has less usage, but his jobs may not take n1 from it.
        var snapshot = Snapshot(
            [Node("n1", slots: 4, gpus: 2)],
            [Job("big", owner: "alice", gpus: 2), Job("b1", owner: "bob", gpus: 1), Job("b2", owner: "bob", gpus: 1)],
            [Running("r", "n1", owner: "carol", gpuIds: ["0"], endMs: Now + 10_000)]) with
        {
            Usage = new Dictionary<string, double> { ["alice"] = 1_000_000 },
            UsageAtMs = Now,
            ReservedJob = "big",
        };

        var plan = PlacementPolicy.Plan(snapshot, new SchedulingOptions());

        plan.Decisions.ShouldBeEmpty();
        plan.Reservation!.JobId.ShouldBe("big");
        plan.Reasons["b1"].ShouldStartWith("fits on n1, but n1 is reserved for job big");
    }

    [Fact]
    public void Plan_TwoUsers_LeastUsageFirstThenAlternating()
    {
        var snapshot = Snapshot(
            [Node("n1", slots: 3)],
            [Job("a1", owner: "alice", order: 1), Job("a2", owner: "alice", order: 2), Job("b1", owner: "bob", order: 3), Job("b2", owner: "bob", order: 4)],
            []) with
        {
            Usage = new Dictionary<string, double> { ["alice"] = 30 },
            UsageAtMs = Now,
        };

        var plan = PlacementPolicy.Plan(snapshot, new SchedulingOptions());

        // bob has used less: b1; then alice (30 < 60): a1; then bob (60 < 90): b2.
        plan.Decisions.Select(d => d.JobId).ShouldBe(["b1", "a1", "b2"]);
    }

    [Fact]
    public void Plan_GpuTimeWeighsMoreThanCpuTime()
    {
        var options = new SchedulingOptions { GpuWeight = 4 };
        var snapshot = Snapshot([Node("n1", slots: 1)], [Job("a", owner: "alice"), Job("b", owner: "bob")], []) with
        {
            // alice ran a 1-GPU job for 100 s (weight 5: 500), bob 4 CPU jobs for 100 s (400).
            Usage = new Dictionary<string, double> { ["alice"] = 500, ["bob"] = 400 },
            UsageAtMs = Now,
        };

        PlacementPolicy.Plan(snapshot, options).Decisions.Single().JobId.ShouldBe("b");
    }

    [Fact]
    public void Plan_HigherPriority_BeatsFairShare()
    {
        var snapshot = Snapshot([Node("n1", slots: 1)], [Job("a", owner: "alice", priority: 5), Job("b", owner: "bob")], []) with
        {
            Usage = new Dictionary<string, double> { ["alice"] = 1e9 },
            UsageAtMs = Now,
        };

        PlacementPolicy.Plan(snapshot, new SchedulingOptions()).Decisions.Single().JobId.ShouldBe("a");
    }

    [Fact]
    public void DecayedUsage_AfterOneHalfLife_IsHalfPlusWhatRan()
    {
        var snapshot = Snapshot([Node("n1", slots: 2, gpus: 1)], [], [Running("r", "n1", owner: "alice", gpuIds: ["0"], sinceMs: Now - 10_000)]) with
        {
            Usage = new Dictionary<string, double> { ["alice"] = 1000, ["bob"] = 100 },
            UsageAtMs = Now - 100_000,
        };

        var usage = PlacementPolicy.DecayedUsage(snapshot, new SchedulingOptions { UsageHalfLifeSeconds = 100, GpuWeight = 4 });

        usage["alice"].ShouldBe(500 + 10 * 5, tolerance: 1e-6); // ran 10 s with 1 GPU: weight 5
        usage["bob"].ShouldBe(50, tolerance: 1e-6);
    }

    [Fact]
    public void Plan_UserAtRunningLimit_WaitsWithTheLimitAsReason()
    {
        var options = new SchedulingOptions { MaxRunningJobsPerUser = 8, Users = { ["bob"] = new UserLimits { MaxRunningJobs = 1 } } };
        var snapshot = Snapshot(
            [Node("n1", slots: 20)],
            [Job("a", owner: "alice"), Job("b", owner: "bob")],
            [.. Enumerable.Range(0, 8).Select(i => Running($"ra{i}", "n1", owner: "alice")), Running("rb", "n1", owner: "bob")]);

        var plan = PlacementPolicy.Plan(snapshot, options);

        plan.Decisions.ShouldBeEmpty();
        plan.Reasons["a"].ShouldBe("your limit of 8 running jobs");
        plan.Reasons["b"].ShouldBe("your limit of 1 running job");
    }

    [Fact]
    public void Plan_UserAtGpuLimit_StillRunsCpuJobs()
    {
        var options = new SchedulingOptions { MaxGpusPerUser = 2 };
        var plan = PlacementPolicy.Plan(
            Snapshot([Node("n1", slots: 8, gpus: 8)], [Job("g", gpus: 1, order: 1), Job("c", order: 2)], [Running("r", "n1", gpuIds: ["0", "1"])]), options);

        plan.Decisions.Single().JobId.ShouldBe("c");
        plan.Reasons["g"].ShouldBe("your limit of 2 GPUs (2 in use)");
    }

    [Fact]
    public void Plan_GroupAtItsLimit_WaitsWithTheGroupsLimit()
    {
        var snapshot = Snapshot([Node("n1", slots: 8)], [Job("x1", group: "g", order: 1), Job("x2", group: "g", order: 2)], []) with
        {
            Groups = new Dictionary<string, GroupLoad> { ["g"] = new GroupLoad(MaxRunning: 2, Active: 1) },
        };

        var plan = PlacementPolicy.Plan(snapshot, new SchedulingOptions());

        plan.Decisions.Single().JobId.ShouldBe("x1");
        plan.Reasons["x2"].ShouldBe("the group's limit of 2 running");
    }

    [Fact]
    public void Plan_FailedTwiceOnANode_GoesElsewhereWhenItFits()
    {
        var plan = Plan([Node("a", slots: 1), Node("b", slots: 4)], [Job("j", failedOn: ["b", "b"])]);

        plan.Decisions.Single().Node.ShouldBe("a");
        Plan([Node("b", slots: 4)], [Job("j", failedOn: ["b", "b"])]).Decisions.Single().Node.ShouldBe("b");
    }

    [Fact]
    public void Plan_Fifo_StopsAtTheFirstJobThatDoesNotFit()
    {
        var options = new SchedulingOptions { Policy = PlacementPolicyKind.Fifo };
        var plan = PlacementPolicy.Plan(
            Snapshot([Node("n1", slots: 8, gpus: 2)], [Job("first", order: 1), Job("big", gpus: 4, order: 2), Job("small", order: 3)], [], registered: 1), options);

        plan.Decisions.Select(d => d.JobId).ShouldBe(["first"]);
        plan.Reasons["small"].ShouldBe("behind job big, which waits for resources (first in, first out)");
    }

    [Fact]
    public void Plan_Fifo_IgnoresUsage()
    {
        var options = new SchedulingOptions { Policy = PlacementPolicyKind.Fifo };
        var snapshot = Snapshot([Node("n1", slots: 1)], [Job("a", owner: "alice", order: 1), Job("b", owner: "bob", order: 2)], []) with
        {
            Usage = new Dictionary<string, double> { ["alice"] = 1e9 },
            UsageAtMs = Now,
        };

        PlacementPolicy.Plan(snapshot, options).Decisions.Single().JobId.ShouldBe("a");
    }

    private static PlacementPlan Plan(IReadOnlyList<PlacementNode> nodes, IReadOnlyList<WaitingJob> waiting, IReadOnlyList<RunningJob>? running = null) =>
        PlacementPolicy.Plan(Snapshot(nodes, waiting, running ?? []), new SchedulingOptions());

    private static PlacementSnapshot Snapshot(IReadOnlyList<PlacementNode> nodes, IReadOnlyList<WaitingJob> waiting, IReadOnlyList<RunningJob> running, int? registered = null) => new()
    {
        NowMs = Now,
        Nodes = nodes,
        RegisteredNodes = registered ?? nodes.Count,
        Waiting = waiting,
        Running = running,
        QueuedByOwner = waiting.GroupBy(j => j.Owner).ToDictionary(g => g.Key, g => (long)g.Count()),
    };

    private static PlacementNode Node(string name, int slots, int gpus = 0, long? cpuMillis = null, long? memoryBytes = null) =>
        new(name, slots, [.. Enumerable.Range(0, gpus).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))], cpuMillis, memoryBytes);

    private static WaitingJob Job(
        string id, string owner = "alice", int gpus = 0, long cpuMillis = 0, long memoryBytes = 0, int priority = 0, long order = 0,
        long? limitMs = null, string? group = null, IReadOnlyList<string>? failedOn = null) =>
        new(id, owner, owner, priority, order, gpus, cpuMillis, memoryBytes, limitMs, group, failedOn ?? []);

    private static RunningJob Running(
        string id, string node, string owner = "alice", IReadOnlyList<string>? gpuIds = null, long? endMs = null, long sinceMs = Now, long memoryBytes = 0) =>
        new(id, node, owner, gpuIds ?? [], 0, memoryBytes, sinceMs, endMs);
}
