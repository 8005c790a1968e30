using Atlas.Core.Jobs;
using Atlas.Core.Scheduling;
using Atlas.Core.Storage;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.Core.Tests.Storage;

/// <summary>The placement snapshot and the apply script against a real redis-server.</summary>
public sealed class PlacementStoreTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(1);
    private ConnectionMultiplexer _connection = null!;
    private JobStores _store = null!;
    private PlacementStore _placement = null!;
    private long _epoch;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _connection = await redis.ConnectEmptyAsync();
        _store = new JobStores(_connection);
        _placement = new PlacementStore(_connection);
        _epoch = await _store.Master.LeadAsync("test-master", TimeSpan.FromMinutes(1), Ct);
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task Pass_GpuJobs_GetTheirOwnGpuIdsWrittenOnTheJob()
    {
        await FakeNodes.RegisterAsync(_connection, "n1", slots: 4, gpus: 2, cancellationToken: Ct);
        var a = await Submit("alice", gpus: 1);
        var b = await Submit("alice", gpus: 1);
        var c = await Submit("alice", gpus: 1);

        var result = await PassAsync();

        result.Placed.Select(p => p.Id).ShouldBe([a, b]);
        var gpus = new[] { (await _store.Reader.GetAsync(a, Ct))!.View.GpuIds, (await _store.Reader.GetAsync(b, Ct))!.View.GpuIds };
        gpus.SelectMany(g => g).Order().ShouldBe(["0", "1"]);
        var waiting = (await _store.Reader.GetAsync(c, Ct))!.View;
        waiting.State.ShouldBe(JobState.Queued);
        waiting.WaitReason.ShouldStartWith("needs 1 GPU; none is free");
    }

    [Fact]
    public async Task Apply_StaleDecisions_AreRefusedAndChangeNothing()
    {
        await FakeNodes.RegisterAsync(_connection, "n1", slots: 4, gpus: 2, memoryBytes: 8L << 30, cancellationToken: Ct);
        var held = await Submit("alice", gpus: 1);
        (await PassAsync()).Placed.Single().Id.ShouldBe(held);
        var heldGpu = (await _store.Reader.GetAsync(held, Ct))!.View.GpuIds.Single();
        var other = heldGpu == "0" ? "1" : "0";
        var j1 = await Submit("alice", gpus: 1);
        var j2 = await Submit("alice", memoryBytes: 6L << 30);
        var j3 = await Submit("alice", memoryBytes: 6L << 30);
        var cancelled = await Submit("alice");
        await _store.Master.StopAsync(cancelled, Ct);

        var result = await ApplyAsync(
            new PlacementDecision(j1, "n1", [heldGpu]),     // that GPU is taken
            new PlacementDecision(j2, "n1", []),
            new PlacementDecision(j3, "n1", []),            // memory: 6 + 6 > 8
            new PlacementDecision(cancelled, "n1", []),     // no longer queued
            new PlacementDecision(j1, "gone", [other]));    // no such node

        result.Placed.Select(p => p.Id).ShouldBe([j2]);
        result.Refused.ShouldBe([j1, j3, cancelled, j1]);
        (await _store.Reader.GetAsync(j1, Ct))!.View.State.ShouldBe(JobState.Queued);
        (await _store.Reader.GetAsync(j3, Ct))!.View.State.ShouldBe(JobState.Queued);
        (await _store.Reader.QueueAsync("alice", Ct)).Yours.Select(p => p.Id).ShouldBe([j1, j3]);
    }

    [Fact]
    public async Task Apply_NodeDownOrDraining_IsRefused()
    {
        await FakeNodes.RegisterAsync(_connection, "n1", slots: 4, cancellationToken: Ct);
        var id = await Submit("alice");
        await _connection.GetDatabase().HashSetAsync(RedisKeys.Node("n1"), "state", "draining");

        (await ApplyAsync(new PlacementDecision(id, "n1", []))).Refused.ShouldBe([id]);
    }

    [Fact]
    public async Task Apply_AfterLosingTheLead_IsRefusedAsNotLeader()
    {
        await FakeNodes.RegisterAsync(_connection, "n1", slots: 4, cancellationToken: Ct);
        var id = await Submit("alice");
        var plan = new PlacementPlan([new PlacementDecision(id, "n1", [])], new Dictionary<string, string>(), new Dictionary<string, double>(), 0, null);

        await Should.ThrowAsync<NotLeaderException>(() => _placement.ApplyAsync(plan, Lease, Ttl, _epoch + 1, Ct));
        (await _store.Reader.GetAsync(id, Ct))!.View.State.ShouldBe(JobState.Queued);
    }

    [Fact]
    public async Task Snapshot_ReadsEachOwnersHeadOnly_AndUsageCarriesOver()
    {
        await FakeNodes.RegisterAsync(_connection, "n1", slots: 1, gpus: 1, cancellationToken: Ct);
        for (var i = 0; i < 10; i++)
        {
            await Submit("alice");
        }
        var bob = await Submit("bob", gpus: 1);

        var snapshot = await _placement.ReadSnapshotAsync(headsPerOwner: 3, Ct);

        snapshot.Waiting.Count(j => j.Owner == "alice").ShouldBe(3);
        snapshot.Waiting.Single(j => j.Owner == "bob").Id.ShouldBe(bob);
        snapshot.QueuedByOwner["alice"].ShouldBe(10);

        // alice has used more: bob's job goes first; his usage is then kept in Redis and grows while it runs.
        var time = await _connection.GetDatabase().ExecuteAsync("TIME");
        var now = (long)((RedisResult[])time!)[0] * 1000;
        await _connection.GetDatabase().HashSetAsync(RedisKeys.Usage, [new("alice", 1000), new("@at", now)]);
        (await PassAsync()).Placed.Single().Id.ShouldBe(bob);
        await Task.Delay(50, Ct);
        await PassAsync();
        var later = await _placement.ReadSnapshotAsync(headsPerOwner: 3, Ct);
        later.Usage["bob"].ShouldBeGreaterThan(0);
        later.Usage["alice"].ShouldBeInRange(999, 1000);
        later.Running.Single().GpuIds.ShouldBe(["0"]);
    }

    [Fact]
    public async Task Finish_GroupJob_LeavesTheGroupsActiveSet()
    {
        await FakeNodes.RegisterAsync(_connection, "n1", slots: 4, cancellationToken: Ct);
        var db = _connection.GetDatabase();
        await db.HashSetAsync(RedisKeys.Group("g1"), [new("owner", "alice"), new("total", 3), new("maxRunning", 1)]);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = await Submit("alice");
            await db.HashSetAsync(RedisKeys.Job(id), "group", "g1");
            ids.Add(id);
        }

        var first = (await PassAsync()).Placed.Single();
        (await db.SetMembersAsync(RedisKeys.GroupActive("g1"))).Select(v => (string)v!).ShouldBe([first.Id]);
        (await _store.Reader.GetAsync(ids[1], Ct))!.View.WaitReason.ShouldBe("the group's limit of 1 running");

        var fence = (await _store.ClaimAndStartAsync(first.Id, "n1", Lease, Ct)).Fence;
        await _store.Worker.CompleteAsync(first.Id, "n1", fence, JobState.Succeeded, 0, null, Ct);
        (await db.SetLengthAsync(RedisKeys.GroupActive("g1"))).ShouldBe(0);
        (await PassAsync()).Placed.Single().Id.ShouldBe(ids[1]);
    }

    [Fact]
    public async Task WaitReason_JobThePassDidNotLookAt_CountsHigherPriorityJobsAhead()
    {
        for (var i = 0; i < 3; i++)
        {
            await Submit("alice", priority: 5);
        }
        var low = await Submit("alice");

        (await _store.Reader.GetAsync(low, Ct))!.View.WaitReason.ShouldBe("behind 3 jobs of higher priority");
    }

    private async Task<PlacementResult> PassAsync(SchedulingOptions? options = null)
    {
        options ??= new SchedulingOptions();
        var snapshot = await _placement.ReadSnapshotAsync(options.HeadsPerOwner, Ct);
        return await _placement.ApplyAsync(PlacementPolicy.Plan(snapshot, options), Lease, Ttl, _epoch, Ct);
    }

    private Task<PlacementResult> ApplyAsync(params PlacementDecision[] decisions) =>
        _placement.ApplyAsync(new PlacementPlan(decisions, new Dictionary<string, string>(), new Dictionary<string, double>(), 0, null), Lease, Ttl, _epoch, Ct);

    private async Task<string> Submit(string owner, int gpus = 0, long? memoryBytes = null, int priority = 0)
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        var spec = new JobSpec { Command = ["true"], Priority = priority, Resources = new JobResources { Gpus = gpus, MemoryBytes = memoryBytes } };
        await _store.Master.SubmitAsync(id, spec, new JobOwner(owner, owner), null, null, Ct);
        await Task.Delay(2, Ct); // distinct submit times, so the order is the submit order
        return id;
    }
}
