using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.Core.Tests.Storage;

/// <summary>Groups (sweeps and arrays) in the store's scripts, on a real redis-server: all or nothing, their limit, their stop.</summary>
public sealed class GroupStoreTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private static readonly JobOwner Me = new("me", "me");
    private ConnectionMultiplexer _connection = null!;
    private JobStores _store = null!;
    private long _epoch;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IDatabase Db => _connection.GetDatabase();

    public async ValueTask InitializeAsync()
    {
        _connection = await redis.ConnectEmptyAsync();
        _store = new JobStores(_connection);
        _epoch = await _store.Master.LeadAsync("test-master", TimeSpan.FromMinutes(1), Ct);
        await _store.Worker.RegisterNodeAsync(new NodeRegistration("n", "http://n:1", "process", 10), TimeSpan.FromMinutes(1), Ct);
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task SubmitGroupAsync_ThreeJobs_RecordsEveryJobAndTheGroupHash()
    {
        var (group, ids) = Ids(3);

        var outcome = await Submit(group, ids, maxRunning: 2);

        outcome.Kind.ShouldBe(GroupSubmitKind.Created);
        var hash = (await Db.HashGetAllAsync(RedisKeys.Group(group))).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        hash["owner"].ShouldBe("me");
        hash["total"].ShouldBe("3");
        hash["maxRunning"].ShouldBe("2");
        hash["name"].ShouldBe("sweep");
        hash.ShouldContainKey("createdAt");
        foreach (var id in ids)
        {
            var view = (await _store.Reader.GetAsync(id, Ct))!.View;
            view.State.ShouldBe(JobState.Queued);
            view.Group.ShouldBe(group);
            (await Db.SortedSetScoreAsync(RedisKeys.Queue, id)).ShouldNotBeNull();
        }
        (await Db.SortedSetRangeByRankAsync(RedisKeys.GroupJobs(group))).Select(v => (string)v!).ShouldBe(ids);
        (await Db.SortedSetLengthAsync(RedisKeys.OwnerJobs("me"))).ShouldBe(3);
        var summary = (await _store.Reader.GetGroupAsync(group, Ct))!;
        summary.Total.ShouldBe(3);
        summary.Counts["queued"].ShouldBe(3);
    }

    [Fact]
    public async Task SubmitGroupAsync_WrongTypedKeyItWouldWriteMidway_WritesNothing()
    {
        // A write to this key would fail with WRONGTYPE after the group's first jobs were written,
        // and Redis does not undo a script's earlier writes: the script must refuse before any.
        await Db.StringSetAsync(RedisKeys.OwnerJobs("me"), "not a sorted set");
        var (group, ids) = Ids(3);

        var outcome = await Submit(group, ids);

        outcome.Kind.ShouldBe(GroupSubmitKind.Corrupt);
        outcome.Id.ShouldBe(RedisKeys.OwnerJobs("me"));
        await NothingWritten(group, ids);
    }

    [Fact]
    public async Task SubmitGroupAsync_LastJobIdTaken_WritesNoneOfTheOthers()
    {
        var (group, ids) = Ids(3);
        await Db.HashSetAsync(RedisKeys.Job(ids[2]), "id", ids[2]);

        var outcome = await Submit(group, ids);

        outcome.Kind.ShouldBe(GroupSubmitKind.IdTaken);
        outcome.Id.ShouldBe(ids[2]);
        await NothingWritten(group, ids[..2]);
    }

    [Fact]
    public async Task SubmitGroupAsync_UnknownDependency_WritesNothing()
    {
        var (group, ids) = Ids(2);
        var unknown = JobId.New(DateTimeOffset.UtcNow);

        var outcome = await Submit(group, ids, after: [unknown]);

        outcome.Kind.ShouldBe(GroupSubmitKind.RefusedDependency);
        outcome.Id.ShouldBe(unknown);
        await NothingWritten(group, ids);
    }

    [Fact]
    public async Task SubmitGroupAsync_After_EveryJobHeldUntilTheDependencySucceeds()
    {
        var dep = JobId.New(DateTimeOffset.UtcNow);
        await _store.Master.SubmitAsync(dep, new JobSpec { Command = ["true"] }, Me, null, null, Ct);
        var (group, ids) = Ids(3);

        await Submit(group, ids, after: [dep]);

        foreach (var id in ids)
        {
            (await _store.Reader.GetAsync(id, Ct))!.View.WaitingFor.ShouldBe([dep]);
        }
        (await _store.Master.PlaceAsync(100, Lease, _epoch, Ct)).Select(p => p.Id).ShouldBe([dep]);
        var fence = (await _store.ClaimAndStartAsync(dep, "n", Lease, Ct)).Fence;
        await _store.Worker.CompleteAsync(dep, "n", fence, JobState.Succeeded, 0, null, Ct);
        (await _store.Master.PlaceAsync(100, Lease, _epoch, Ct)).Select(p => p.Id).ShouldBe(ids);
    }

    [Fact]
    public async Task PlaceAsync_GroupMaxRunning_AtMostThatManyOnNodesAtOnce()
    {
        var (group, ids) = Ids(5);
        await Submit(group, ids, maxRunning: 2);

        var first = await _store.Master.PlaceAsync(100, Lease, _epoch, Ct);
        first.Select(p => p.Id).ShouldBe(ids[..2]);
        (await _store.Master.PlaceAsync(100, Lease, _epoch, Ct)).ShouldBeEmpty();

        var fence = (await _store.ClaimAndStartAsync(ids[0], "n", Lease, Ct)).Fence;
        await _store.Worker.CompleteAsync(ids[0], "n", fence, JobState.Succeeded, 0, null, Ct);

        (await _store.Master.PlaceAsync(100, Lease, _epoch, Ct)).Select(p => p.Id).ShouldBe([ids[2]]);
    }

    [Fact]
    public async Task StopGroupAsync_QueuedCancelledAndPlacedAskedToStop_InOneStep()
    {
        var (group, ids) = Ids(3);
        await Submit(group, ids, maxRunning: 1);
        (await _store.Master.PlaceAsync(100, Lease, _epoch, Ct)).Select(p => p.Id).ShouldBe([ids[0]]);

        var stopped = (await _store.Master.StopGroupAsync(group, Ct))!;

        stopped.ShouldBe(new GroupStopView(group, Cancelled: 2, Stopping: 1, AlreadyEnded: 0));
        (await _store.Reader.GetAsync(ids[1], Ct))!.View.State.ShouldBe(JobState.Cancelled);
        ((string?)await Db.HashGetAsync(RedisKeys.Job(ids[0]), "stop")).ShouldBe("1");
        (await Db.SortedSetLengthAsync(RedisKeys.Queue)).ShouldBe(0);
        (await _store.Master.StopGroupAsync("g" + JobId.New(DateTimeOffset.UtcNow), Ct)).ShouldBeNull();
    }

    private async Task NothingWritten(string group, IEnumerable<string> ids)
    {
        (await Db.KeyExistsAsync(RedisKeys.Group(group))).ShouldBeFalse();
        (await Db.KeyExistsAsync(RedisKeys.GroupJobs(group))).ShouldBeFalse();
        foreach (var id in ids)
        {
            (await Db.KeyExistsAsync(RedisKeys.Job(id))).ShouldBeFalse(id);
            (await Db.KeyExistsAsync(RedisKeys.History(id))).ShouldBeFalse(id);
        }
        (await Db.SortedSetLengthAsync(RedisKeys.Queue)).ShouldBe(0);
        (await Db.SortedSetLengthAsync(RedisKeys.Jobs)).ShouldBe(0);
    }

    private static (string Group, string[] Ids) Ids(int n)
    {
        var now = DateTimeOffset.UtcNow;
        return (GroupId.New(now), [.. Enumerable.Range(0, n).Select(i => JobId.New(now.AddMilliseconds(i)))]);
    }

    private Task<GroupSubmitOutcome> Submit(string group, string[] ids, int maxRunning = 0, IReadOnlyList<string>? after = null) =>
        _store.Master.SubmitGroupAsync(group, "sweep", maxRunning, [.. ids.Select(id => (id, new JobSpec { Command = ["true"] }))],
            after ?? [], [], Me, null, null, Ct);
}
