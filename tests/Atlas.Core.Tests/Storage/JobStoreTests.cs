using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using Atlas.Core.Storage;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.Core.Tests.Storage;

/// <summary>The store's Lua scripts against a real redis-server.</summary>
public sealed class JobStoreTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Alive = TimeSpan.FromSeconds(15);
    private ConnectionMultiplexer _connection = null!;
    private JobStores _store = null!;
    private long _epoch;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _connection = await redis.ConnectEmptyAsync();
        _store = new JobStores(_connection);
        _epoch = await _store.Master.LeadAsync("test-master", TimeSpan.FromMinutes(1), Ct);
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task PlaceAsync_MixedPriorities_PlacesByPriorityThenSubmitTime()
    {
        var t = DateTimeOffset.UtcNow;
        var low1 = await Submit(t, priority: 0);
        var high = await Submit(t.AddMilliseconds(1), priority: 10);
        var low2 = await Submit(t.AddMilliseconds(2), priority: 0);
        var mid = await Submit(t.AddMilliseconds(3), priority: 5);
        await Register("n1", slots: 1);

        var order = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var placed = await _store.Master.PlaceAsync(100, Lease, _epoch, Ct);
            placed.Count.ShouldBe(1);
            order.Add(placed[0].Id);
            await Finish(placed[0].Id, "n1");
        }

        order.ShouldBe([high, mid, low1, low2]);
    }

    [Fact]
    public async Task PlaceAsync_TracedJob_ReturnsFenceAttemptAndStoredTraceAndCounts()
    {
        const string traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        var id = JobId.New(DateTimeOffset.UtcNow);
        await _store.Master.SubmitAsync(id, new JobSpec { Command = ["true"] }, JobOwner.Local, traceParent, null, Ct);
        var waiting = await Submit(DateTimeOffset.UtcNow.AddMilliseconds(1));
        await Register("n1", slots: 1);

        var placed = (await _store.Master.PlaceAsync(10, Lease, _epoch, Ct)).ShouldHaveSingleItem();

        placed.ShouldBe(new PlacedJob(id, "n1", (await _store.Reader.GetAsync(id, Ct))!.Fence, 1, traceParent));
        (await _store.Reader.GetAsync(id, Ct))!.View.TraceId.ShouldBe("4bf92f3577b34da6a3ce929d0e0e4736");
        (await _store.Reader.GetAsync(waiting, Ct))!.View.TraceId.ShouldBeNull();
        (await _store.Master.CountsAsync(Ct)).ShouldBe((1L, 1L));
    }

    [Fact]
    public async Task PlaceAsync_TwoNodes_FillsFreeSlotsOnlyAndSpreads()
    {
        await Register("a", slots: 2);
        await Register("b", slots: 1);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await Submit(DateTimeOffset.UtcNow.AddMilliseconds(i)));
        }

        var placed = await _store.Master.PlaceAsync(100, Lease, _epoch, Ct);

        placed.Count.ShouldBe(3);
        placed.Count(p => p.Node == "a").ShouldBe(2);
        placed.Count(p => p.Node == "b").ShouldBe(1);
        (await _store.Reader.ListAsync(null, null, JobState.Queued, 100, Ct)).Count.ShouldBe(2);
        (await _store.Reader.RouteAsync(placed[0].Id, Ct)).ShouldBe($"http://{placed[0].Node}:1");
        (await _store.Worker.InboxAsync("a", Ct)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task PlaceAsync_NodeDrainingOrSilent_PlacesNothing()
    {
        await Register("d", slots: 4);
        await _store.Worker.SetNodeStateAsync("d", NodeState.Draining, Ct);
        await Submit(DateTimeOffset.UtcNow);

        (await _store.Master.PlaceAsync(100, Lease, _epoch, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task ClaimAsync_StaleFence_IsRefusedAndJobStaysAssigned()
    {
        await Register("n", slots: 1);
        var id = await Submit(DateTimeOffset.UtcNow);
        await _store.Master.PlaceAsync(10, Lease, _epoch, Ct);
        var entry = (await _store.Worker.InboxAsync("n", Ct)).ShouldHaveSingleItem();

        var stale = await _store.Worker.ClaimAsync("n", Lease, [entry with { Fence = entry.Fence + 1 }], Ct);
        var otherNode = await _store.Worker.ClaimAsync("other", Lease, [entry], Ct);

        stale.Claimed.ShouldBeEmpty();
        stale.Stale.ShouldBe([id]);
        otherNode.Claimed.ShouldBeEmpty();
        (await _store.Reader.GetAsync(id, Ct))!.View.State.ShouldBe(JobState.Assigned);
        (await _store.Worker.InboxAsync("n", Ct)).ShouldBe([entry]);
        (await _store.Worker.ClaimAsync("n", Lease, [entry], Ct)).Claimed.ShouldHaveSingleItem().View.State.ShouldBe(JobState.Starting);
        (await _store.Worker.InboxAsync("n", Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task StartAsync_StaleFence_IsRefused()
    {
        await Register("n", slots: 1);
        var id = await Submit(DateTimeOffset.UtcNow);
        await _store.Master.PlaceAsync(10, Lease, _epoch, Ct);
        var fence = (await _store.Reader.GetAsync(id, Ct))!.Fence;

        (await _store.Worker.StartAsync(id, "n", fence, Lease, Ct)).ShouldBeNull(); // not claimed yet
        await _store.Worker.ClaimAsync("n", Lease, await _store.Worker.InboxAsync("n", Ct), Ct);
        (await _store.Worker.StartAsync(id, "n", fence + 1, Lease, Ct)).ShouldBeNull();
        (await _store.Worker.StartAsync(id, "other", fence, Lease, Ct)).ShouldBeNull();
        (await _store.Reader.GetAsync(id, Ct))!.View.State.ShouldBe(JobState.Starting);
        (await _store.Worker.StartAsync(id, "n", fence, Lease, Ct)).ShouldNotBeNull();
        (await _store.Reader.GetAsync(id, Ct))!.View.State.ShouldBe(JobState.Running);
    }

    [Fact]
    public async Task ClaimThenStart_RecordsClaimedAndStartedAsSeparateTimes()
    {
        await Register("n", slots: 1);
        var id = await Submit(DateTimeOffset.UtcNow);
        await _store.Master.PlaceAsync(10, Lease, _epoch, Ct);

        var claimed = (await _store.Worker.ClaimAsync("n", Lease, await _store.Worker.InboxAsync("n", Ct), Ct)).Claimed.ShouldHaveSingleItem();
        claimed.View.ClaimedAt.ShouldNotBeNull();
        claimed.View.StartedAt.ShouldBeNull();
        (await _store.Reader.ListAsync(null, null, JobState.Starting, 10, Ct)).ShouldHaveSingleItem().Id.ShouldBe(id);
        // Image pull and container creation happen here: the job is starting, not running.
        await Task.Delay(20, Ct);
        var started = await _store.Worker.StartAsync(id, "n", claimed.Fence, Lease, Ct);

        var job = (await _store.Reader.GetAsync(id, Ct))!.View;
        job.State.ShouldBe(JobState.Running);
        job.ClaimedAt.ShouldBe(claimed.View.ClaimedAt);
        job.StartedAt.ShouldBe(started);
        (job.StartedAt!.Value - job.ClaimedAt!.Value).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(20));
        job.History.Select(h => h.State).ShouldBe([JobState.Queued, JobState.Assigned, JobState.Starting, JobState.Running]);
    }

    [Fact]
    public async Task CompleteAsync_StartingJob_CanFailButNotSucceed()
    {
        await Register("n", slots: 2);
        var failing = await Submit(DateTimeOffset.UtcNow);
        var succeeding = await Submit(DateTimeOffset.UtcNow.AddMilliseconds(1));
        await _store.Master.PlaceAsync(10, Lease, _epoch, Ct);
        var claimed = (await _store.Worker.ClaimAsync("n", Lease, await _store.Worker.InboxAsync("n", Ct), Ct)).Claimed.ToDictionary(j => j.View.Id, j => j.Fence);

        (await _store.Worker.CompleteAsync(failing, "n", claimed[failing], JobState.Failed, null, "image not found", Ct)).ShouldBe(CompleteOutcome.Done);
        (await _store.Worker.CompleteAsync(succeeding, "n", claimed[succeeding], JobState.Succeeded, 0, null, Ct)).ShouldBe(CompleteOutcome.Forbidden);

        (await _store.Reader.GetAsync(failing, Ct))!.View.State.ShouldBe(JobState.Failed);
        (await _store.Reader.GetAsync(succeeding, Ct))!.View.State.ShouldBe(JobState.Starting);
    }

    [Fact]
    public async Task SubmitAsync_SameIdempotencyKey_ReturnsFirstJobPerOwner()
    {
        var alice = new JobOwner("sub-alice", "alice");
        var first = JobId.New(DateTimeOffset.UtcNow);
        var second = JobId.New(DateTimeOffset.UtcNow.AddMilliseconds(1));
        var bobs = JobId.New(DateTimeOffset.UtcNow.AddMilliseconds(2));
        var spec = new JobSpec { Command = ["true"] };

        var created = await _store.Master.SubmitAsync(first, spec, alice, null, "key-1", Ct);
        var replayed = await _store.Master.SubmitAsync(second, spec, alice, null, "key-1", Ct);
        var otherOwner = await _store.Master.SubmitAsync(bobs, spec, new JobOwner("sub-bob", "bob"), null, "key-1", Ct);

        created.ShouldBe(new SubmitOutcome(first, false, created.SubmittedAt));
        replayed.ShouldBe(new SubmitOutcome(first, true, null));
        otherOwner.Replayed.ShouldBeFalse();
        (await _store.Reader.GetAsync(second, Ct)).ShouldBeNull();
        (await _store.Master.FindSubmittedAsync(alice, "key-1", Ct)).ShouldBe(first);
        (await _store.Master.FindSubmittedAsync(alice, "key-2", Ct)).ShouldBeNull();
        (await _store.Reader.ListAsync(null, null, null, 10, Ct)).Select(j => j.Id).ShouldBe([bobs, first]);
    }

    [Fact]
    public async Task CompleteAsync_Twice_SecondIsRefusedAndStateStays()
    {
        await Register("n", slots: 1);
        var id = await Submit(DateTimeOffset.UtcNow);
        await _store.Master.PlaceAsync(10, Lease, _epoch, Ct);
        var fence = (await _store.ClaimAndStartAsync(id, "n", Lease, Ct)).Fence;

        (await _store.Worker.CompleteAsync(id, "n", fence, JobState.Failed, 3, "exited with code 3", Ct)).ShouldBe(CompleteOutcome.Done);
        (await _store.Worker.CompleteAsync(id, "n", fence, JobState.Succeeded, 0, null, Ct)).ShouldBe(CompleteOutcome.AlreadyTerminal);

        var job = (await _store.Reader.GetAsync(id, Ct))!.View;
        job.State.ShouldBe(JobState.Failed);
        job.ExitCode.ShouldBe(3);
        job.History.Select(h => h.State).ShouldBe([JobState.Queued, JobState.Assigned, JobState.Starting, JobState.Running, JobState.Failed]);
        (await _store.Reader.RouteAsync(id, Ct)).ShouldBeNull();
        (await _store.Reader.ListNodesAsync(Ct)).Single().Running.ShouldBe(0);
    }

    [Fact]
    public async Task CompleteAsync_StaleFence_IsRefused()
    {
        await Register("n", slots: 1);
        var id = await Submit(DateTimeOffset.UtcNow);
        await _store.Master.PlaceAsync(10, Lease, _epoch, Ct);
        var fence = (await _store.ClaimAndStartAsync(id, "n", Lease, Ct)).Fence;

        (await _store.Worker.CompleteAsync(id, "n", fence - 1, JobState.Succeeded, 0, null, Ct)).ShouldBe(CompleteOutcome.Stale);
        (await _store.Reader.GetAsync(id, Ct))!.View.State.ShouldBe(JobState.Running);
    }

    [Fact]
    public async Task StopAsync_Queued_CancelsAtOnce()
    {
        var id = await Submit(DateTimeOffset.UtcNow);

        (await _store.Master.StopAsync(id, Ct)).Kind.ShouldBe(StopKind.Cancelled);

        (await _store.Reader.GetAsync(id, Ct))!.View.State.ShouldBe(JobState.Cancelled);
        (await _store.Master.StopAsync(id, Ct)).Kind.ShouldBe(StopKind.AlreadyTerminal);
        await Register("n", slots: 1);
        (await _store.Master.PlaceAsync(10, Lease, _epoch, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task ClaimAsync_StopRequestedWhileAssigned_CancelsInsteadOfStarting()
    {
        await Register("n", slots: 1);
        var id = await Submit(DateTimeOffset.UtcNow);
        await _store.Master.PlaceAsync(10, Lease, _epoch, Ct);

        var stop = await _store.Master.StopAsync(id, Ct);

        stop.ShouldBe(new StopOutcome(StopKind.Stopping, "n"));
        var claim = await _store.Worker.ClaimAsync("n", Lease, await _store.Worker.InboxAsync("n", Ct), Ct);
        claim.Claimed.ShouldBeEmpty();
        claim.Stale.ShouldBeEmpty();
        (await _store.Reader.GetAsync(id, Ct))!.View.State.ShouldBe(JobState.Cancelled);
        (await _store.Worker.InboxAsync("n", Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task ReapAsync_LeaseExpired_RequeuesWithNextAttemptThenFails()
    {
        var shortLease = TimeSpan.FromMilliseconds(1);
        await Register("n", slots: 1);
        var id = await Submit(DateTimeOffset.UtcNow);

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            (await _store.Master.PlaceAsync(10, shortLease, _epoch, Ct)).Count.ShouldBe(1);
            await Task.Delay(20, Ct);
            (await _store.Master.ReapAsync(10, maxAttempts: 2, _epoch, Ct)).ShouldBe(1);
            await Register("n", slots: 1);
        }

        var job = (await _store.Reader.GetAsync(id, Ct))!.View;
        job.State.ShouldBe(JobState.Failed);
        job.Attempt.ShouldBe(2);
        job.Reason.ShouldBe("lost on node n, n");
        job.History.Count(h => h.State == JobState.Lost).ShouldBe(2);
        (await _store.Worker.InboxAsync("n", Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task HeartbeatAsync_StaleFence_IsReported()
    {
        await Register("n", slots: 2);
        var id = await Submit(DateTimeOffset.UtcNow);
        await _store.Master.PlaceAsync(10, Lease, _epoch, Ct);
        var fence = (await _store.Reader.GetAsync(id, Ct))!.Fence;

        var stale = await _store.Worker.HeartbeatAsync("n", Alive, Lease, [(id, fence), (id, fence + 7), ("0000000000zzzzzz", 1)], Ct);

        stale.ShouldBe([id, "0000000000zzzzzz"]);
    }

    [Fact]
    public async Task HandBackAsync_StaleFence_IsRefusedAndJobStays()
    {
        await Register("n", slots: 2);
        var id = await Submit(DateTimeOffset.UtcNow);
        await _store.Master.PlaceAsync(10, Lease, _epoch, Ct);
        var fence = (await _store.Reader.GetAsync(id, Ct))!.Fence;

        (await _store.Worker.HandBackAsync(id, "n", fence + 1, "drained", Ct)).ShouldBeFalse();
        (await _store.Worker.HandBackAsync(id, "other", fence, "drained", Ct)).ShouldBeFalse();

        var job = (await _store.Reader.GetAsync(id, Ct))!.View;
        job.State.ShouldBe(JobState.Assigned);
        job.Attempt.ShouldBe(1);
    }

    [Fact]
    public async Task ReapAsync_NodeStopsHeartbeating_IsMarkedDownAndGetsNoWork()
    {
        await _store.Worker.RegisterNodeAsync(new NodeRegistration("silent", "http://silent:1", "process", 2), TimeSpan.FromMilliseconds(50), Ct);
        await Task.Delay(120, Ct);

        await _store.Master.ReapAsync(10, maxAttempts: 3, _epoch, Ct);

        ((string?)await _connection.GetDatabase().HashGetAsync(RedisKeys.Node("silent"), "state")).ShouldBe("down");
        (await _store.Reader.ListNodesAsync(Ct)).Single().State.ShouldBe(NodeState.Down);
        await Submit(DateTimeOffset.UtcNow);
        (await _store.Master.PlaceAsync(10, Lease, _epoch, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task DeleteAsync_ActiveJob_IsRefused()
    {
        var id = await Submit(DateTimeOffset.UtcNow);

        (await _store.Master.DeleteAsync(id, Ct)).ShouldBe(DeleteOutcome.Active);
        await _store.Master.StopAsync(id, Ct);
        (await _store.Master.DeleteAsync(id, Ct)).ShouldBe(DeleteOutcome.Deleted);
        (await _store.Reader.GetAsync(id, Ct)).ShouldBeNull();
        (await _store.Master.DeleteAsync(id, Ct)).ShouldBe(DeleteOutcome.Missing);
    }

    [Fact]
    public async Task LeadAsync_SecondMaster_StandsByUntilFirstResigns()
    {
        (await _store.Master.LeadAsync("test-master", TimeSpan.FromMinutes(1), Ct)).ShouldBe(_epoch);
        (await _store.Master.LeadAsync("standby", TimeSpan.FromMinutes(1), Ct)).ShouldBe(0);

        await _store.Master.ResignAsync("standby", Ct); // not the holder: nothing happens
        (await _store.Master.LeadAsync("standby", TimeSpan.FromMinutes(1), Ct)).ShouldBe(0);
        await _store.Master.ResignAsync("test-master", Ct);
        var next = await _store.Master.LeadAsync("standby", TimeSpan.FromMinutes(1), Ct);

        next.ShouldBeGreaterThan(_epoch);
    }

    [Fact]
    public async Task PlaceAndReap_StaleLeaderEpoch_AreRefused()
    {
        await Register("n", slots: 1);
        await Submit(DateTimeOffset.UtcNow);
        await _store.Master.ResignAsync("test-master", Ct);
        await _store.Master.LeadAsync("other", TimeSpan.FromMinutes(1), Ct);

        await Should.ThrowAsync<NotLeaderException>(() => _store.Master.PlaceAsync(10, Lease, _epoch, Ct));
        await Should.ThrowAsync<NotLeaderException>(() => _store.Master.ReapAsync(10, 3, _epoch, Ct));
        (await _store.Reader.ListAsync(null, null, JobState.Queued, 10, Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task LeadAsync_LeaseLapses_StandbyTakesOver()
    {
        await _store.Master.ResignAsync("test-master", Ct);
        var first = await _store.Master.LeadAsync("a", TimeSpan.FromMilliseconds(50), Ct);
        (await _store.Master.LeadAsync("b", TimeSpan.FromMilliseconds(50), Ct)).ShouldBe(0);

        await Task.Delay(120, Ct);

        (await _store.Master.LeadAsync("b", TimeSpan.FromSeconds(5), Ct)).ShouldBe(first + 1);
    }

    [Fact]
    public async Task ListAsync_Owner_ReadsOnlyThatOwnersIndex_DeleteLeavesIt()
    {
        var alice = new JobOwner("sub-alice", "alice");
        var mine = await Submit(DateTimeOffset.UtcNow, owner: alice);
        var theirs = await Submit(DateTimeOffset.UtcNow.AddMilliseconds(1), owner: new JobOwner("sub-bob", "bob"));

        var listed = await _store.Reader.ListAsync("sub-alice", null, null, 100, Ct);

        listed.Select(j => j.Id).ShouldBe([mine]);
        listed[0].Owner.ShouldBe("sub-alice");
        listed[0].Username.ShouldBe("alice");
        (await _store.Reader.AccessAsync(theirs, Ct)).ShouldBe(new JobAccess(JobState.Queued, "sub-bob"));
        (await _store.Reader.ListAsync(null, null, null, 100, Ct)).Count.ShouldBe(2);
        (await _store.Master.StopAsync(mine, Ct)).Kind.ShouldBe(StopKind.Cancelled);
        (await _store.Master.DeleteAsync(mine, Ct)).ShouldBe(DeleteOutcome.Deleted);
        (await _connection.GetDatabase().KeyExistsAsync(RedisKeys.OwnerJobs("sub-alice"))).ShouldBeFalse();
    }

    [Fact]
    public async Task QueueAsync_LongHistoryOrLongQueue_SamePlaces()
    {
        var alice = new JobOwner("sub-alice", "alice");
        var bob = new JobOwner("sub-bob", "bob");
        var now = DateTimeOffset.UtcNow;
        var first = await Submit(now, owner: alice);
        await Submit(now.AddMilliseconds(1), owner: bob);
        var second = await Submit(now.AddMilliseconds(2), owner: alice);
        QueuePosition[] expected = [new(first, 1) { WaitReason = "next in line" }, new(second, 3) { WaitReason = "behind 2 earlier jobs of the same priority" }];

        // alice's index (2) is smaller than the queue (3): her index is walked.
        var shortHistory = await _store.Reader.QueueAsync(alice.Subject, Ct);
        shortHistory.Queued.ShouldBe(3);
        shortHistory.Yours.ShouldBe(expected);

        // Three finished jobs make her index (5) larger than the queue (3): the queue is walked.
        for (var i = 0; i < 3; i++)
        {
            (await _store.Master.StopAsync(await Submit(now.AddMilliseconds(10 + i), owner: alice), Ct)).Kind.ShouldBe(StopKind.Cancelled);
        }
        var longHistory = await _store.Reader.QueueAsync(alice.Subject, Ct);
        longHistory.Queued.ShouldBe(3);
        longHistory.Yours.ShouldBe(expected);
        (await _store.Reader.QueueAsync(bob.Subject, Ct)).Yours.Select(p => (p.Id, p.Position)).ShouldBe([(await OnlyJobOf(bob), 2)]);
    }

    private async Task<string> OnlyJobOf(JobOwner owner) =>
        (await _store.Reader.ListAsync(owner.Subject, null, null, 1, Ct)).Single().Id;

    private async Task<string> Submit(DateTimeOffset at, int priority = 0, JobOwner? owner = null)
    {
        var id = JobId.New(at);
        await _store.Master.SubmitAsync(id, new JobSpec { Command = ["true"], Priority = priority }, owner ?? JobOwner.Local, null, null, Ct);
        return id;
    }

    private Task Register(string name, int slots) =>
        _store.Worker.RegisterNodeAsync(new NodeRegistration(name, $"http://{name}:1", "process", slots), Alive, Ct);

    private async Task Finish(string id, string node)
    {
        var fence = (await _store.ClaimAndStartAsync(id, node, Lease, Ct)).Fence;
        (await _store.Worker.CompleteAsync(id, node, fence, JobState.Succeeded, 0, null, Ct)).ShouldBe(CompleteOutcome.Done);
    }
}
