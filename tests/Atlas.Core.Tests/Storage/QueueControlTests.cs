using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.Core.Tests.Storage;

/// <summary><c>atlas priority</c> and <c>atlas stop --all-queued</c> through the real scripts on a real redis-server.</summary>
public sealed class QueueControlTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private static readonly JobOwner Alice = new("sub-alice", "alice");
    private static readonly JobOwner Bob = new("sub-bob", "bob");
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
    public async Task Reprioritize_QueuedJob_MovesItInTheQueueAndShowsTheNewPriority()
    {
        var a = await Submit(Alice);
        var b = await Submit(Alice);
        var c = await Submit(Alice);

        (await _store.Master.ReprioritizeAsync(c, 5, top: false, Ct)).ShouldBe(new PriorityOutcome(PriorityKind.Changed, 5));

        (await Positions(Alice)).ShouldBe([c, a, b]);
        (await _store.Reader.GetAsync(c, Ct))!.View.Priority.ShouldBe(5);

        (await _store.Master.ReprioritizeAsync(c, -5, top: false, Ct)).Kind.ShouldBe(PriorityKind.Changed);
        (await Positions(Alice)).ShouldBe([a, b, c]);
    }

    [Fact]
    public async Task Reprioritize_Top_PutsTheJobFirstAmongItsOwnersJobsOnly()
    {
        var bobs = await Submit(Bob, priority: 50);
        var a = await Submit(Alice);
        var b = await Submit(Alice, priority: 3);
        var c = await Submit(Alice);

        (await _store.Master.ReprioritizeAsync(c, 0, top: true, Ct)).ShouldBe(new PriorityOutcome(PriorityKind.Changed, 3));

        (await Positions(Alice)).ShouldBe([c, b, a]);
        (await _store.Reader.GetAsync(c, Ct))!.View.Priority.ShouldBe(3, "raised to the highest of alice's, not bob's 50");
        (await Positions(Bob)).ShouldBe([bobs]);
        (await _store.Reader.QueueAsync(Alice.Subject, Ct)).Yours.Select(p => p.Position).ShouldBe([2, 3, 4], "bob's 50 still runs first");

        // Placement order follows the queue: c, then b, then a.
        await _store.Worker.RegisterNodeAsync(new NodeRegistration("n1", "http://n1:1", "process", 10), TimeSpan.FromMinutes(1), Ct);
        (await _store.Master.PlaceAsync(10, Lease, _epoch, Ct)).Select(p => p.Id).ShouldBe([bobs, c, b, a]);
    }

    [Fact]
    public async Task Reprioritize_TopOfTheOnlyJob_KeepsItsPriorityAndOrder()
    {
        var a = await Submit(Alice, priority: 2);
        (await _store.Master.ReprioritizeAsync(a, 0, top: true, Ct)).ShouldBe(new PriorityOutcome(PriorityKind.Changed, 2));
        (await Positions(Alice)).ShouldBe([a]);
    }

    [Fact]
    public async Task Reprioritize_NotQueuedOrMissing_ChangesNothing()
    {
        var a = await Submit(Alice);
        await _store.Worker.RegisterNodeAsync(new NodeRegistration("n1", "http://n1:1", "process", 1), TimeSpan.FromMinutes(1), Ct);
        await _store.Master.PlaceAsync(10, Lease, _epoch, Ct);

        (await _store.Master.ReprioritizeAsync(a, 9, top: false, Ct)).ShouldBe(new PriorityOutcome(PriorityKind.NotQueued, State: JobState.Assigned));
        (await _store.Reader.GetAsync(a, Ct))!.View.Priority.ShouldBe(0);
        (await _store.Master.ReprioritizeAsync(JobId.New(DateTimeOffset.UtcNow), 9, top: false, Ct)).Kind.ShouldBe(PriorityKind.Missing);
    }

    [Fact]
    public async Task StopQueued_Owner_CancelsOnlyTheirWaitingJobs_InChunks()
    {
        var alices = new List<string>();
        for (var i = 0; i < 23; i++)
        {
            alices.Add(await Submit(Alice));
        }
        var bobs = await Submit(Bob);
        await _store.Worker.RegisterNodeAsync(new NodeRegistration("n1", "http://n1:1", "process", 1), TimeSpan.FromMinutes(1), Ct);
        var running = (await _store.Master.PlaceAsync(1, Lease, _epoch, Ct)).ShouldHaveSingleItem().Id;

        (await _store.Master.StopQueuedAsync(Alice.Subject, null, chunk: 5, Ct)).ShouldBe(22);

        foreach (var id in alices.Where(id => id != running))
        {
            var job = (await _store.Reader.GetAsync(id, Ct))!.View;
            job.State.ShouldBe(JobState.Cancelled);
            job.Reason.ShouldBe("stopped by user");
        }
        (await _store.Reader.StateAsync(running, Ct)).ShouldBe(JobState.Assigned, "only waiting jobs are cancelled");
        (await _store.Reader.StateAsync(bobs, Ct)).ShouldBe(JobState.Queued);
        (await _store.Reader.QueueAsync(Bob.Subject, Ct)).Queued.ShouldBe(1);
    }

    [Fact]
    public async Task StopQueued_ByUserNameOrEveryone_CancelsTheirs()
    {
        var a = await Submit(Alice);
        var b = await Submit(Bob);
        var b2 = await Submit(Bob);

        (await _store.Master.StopQueuedAsync(null, "bob", chunk: 2, Ct)).ShouldBe(2);
        (await _store.Reader.StateAsync(a, Ct)).ShouldBe(JobState.Queued);
        (await _store.Reader.StateAsync(b2, Ct)).ShouldBe(JobState.Cancelled);

        var c = await Submit(Bob);
        (await _store.Master.StopQueuedAsync(null, null, chunk: 1000, Ct)).ShouldBe(2);
        (await _store.Reader.StateAsync(a, Ct)).ShouldBe(JobState.Cancelled);
        (await _store.Reader.StateAsync(c, Ct)).ShouldBe(JobState.Cancelled);
        (await _store.Reader.StateAsync(b, Ct)).ShouldBe(JobState.Cancelled);
        (await _store.Master.CountsAsync(Ct)).Queued.ShouldBe(0);
        (await _store.Master.StopQueuedAsync(null, null, chunk: 1000, Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task StopQueued_HeldJob_IsCancelledAndLeavesTheHeldSet()
    {
        var a = await Submit(Alice);
        // What a job waiting on dependencies looks like (contract): queued, out of the queue, in atlas:held.
        var db = _connection.GetDatabase();
        await db.SortedSetRemoveAsync(RedisKeys.Queue, a);
        await db.SetAddAsync(RedisKeys.Prefix + "held", a);

        (await _store.Master.StopQueuedAsync(Alice.Subject, null, chunk: 10, Ct)).ShouldBe(1);

        (await _store.Reader.StateAsync(a, Ct)).ShouldBe(JobState.Cancelled);
        (await db.SetContainsAsync(RedisKeys.Prefix + "held", a)).ShouldBeFalse();
    }

    private async Task<string> Submit(JobOwner owner, int priority = 0)
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        await _store.Master.SubmitAsync(id, new JobSpec { Command = ["true"], Priority = priority }, owner, null, null, Ct);
        await Task.Delay(2, Ct); // distinct submit times, so the expected order is the submit order
        return id;
    }

    private async Task<List<string>> Positions(JobOwner owner) =>
        [.. (await _store.Reader.QueueAsync(owner.Subject, Ct)).Yours.Select(p => p.Id)];
}
