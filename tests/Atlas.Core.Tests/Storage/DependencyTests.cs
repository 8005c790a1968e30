using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.Core.Tests.Storage;

/// <summary>Dependencies (<c>--after</c>, <c>--after-any</c>) in the store's scripts, on a real redis-server.</summary>
public sealed class DependencyTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
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
    public async Task Submit_AfterChain_EachRunsOnlyOnceTheOneBeforeSucceeded()
    {
        var a = await Submit();
        var b = await Submit(after: [a]);
        var c = await Submit(after: [b]);

        (await View(b)).State.ShouldBe(JobState.Queued);
        (await View(b)).WaitingFor.ShouldBe([a]);
        (await Db.SetContainsAsync(RedisKeys.Held, b)).ShouldBeTrue();
        (await Db.SortedSetScoreAsync(RedisKeys.Queue, b)).ShouldBeNull();

        var order = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var placed = await _store.Master.PlaceAsync(100, Lease, _epoch, Ct);
            placed.Count.ShouldBe(1, $"round {i}: only the job whose dependency succeeded may run");
            order.Add(placed[0].Id);
            await End(placed[0].Id, JobState.Succeeded);
        }

        order.ShouldBe([a, b, c]);
        (await Db.SetLengthAsync(RedisKeys.Held)).ShouldBe(0);
        (await Db.KeyExistsAsync(RedisKeys.Dependents(a))).ShouldBeFalse();
    }

    [Fact]
    public async Task Finish_AfterDependencyFailed_DependentsCancelledWithReasonInCascade_AfterAnyRuns()
    {
        var a = await Submit();
        var b = await Submit(after: [a]);
        var c = await Submit(after: [b]);
        var anyway = await Submit(afterAny: [a]);
        var late = await Submit(afterAny: [c]);
        (await _store.Master.PlaceAsync(100, Lease, _epoch, Ct)).Select(p => p.Id).ShouldBe([a]);

        await End(a, JobState.Failed);

        var vb = await View(b);
        vb.State.ShouldBe(JobState.Cancelled);
        vb.Reason.ShouldBe($"dependency {a} failed");
        vb.FinishedAt.ShouldNotBeNull();
        vb.History.Select(h => h.State).ShouldBe([JobState.Queued, JobState.Cancelled]);
        var vc = await View(c);
        vc.State.ShouldBe(JobState.Cancelled);
        vc.Reason.ShouldBe($"dependency {b} was cancelled");
        (await View(late)).WaitingFor.ShouldBeEmpty(); // c ended (cancelled): after-any is satisfied
        (await Db.SortedSetScoreAsync(RedisKeys.Queue, late)).ShouldNotBeNull();
        (await View(anyway)).WaitingFor.ShouldBeEmpty();
        (await _store.Master.PlaceAsync(100, Lease, _epoch, Ct)).Select(p => p.Id).Order().ShouldBe(new[] { anyway, late }.Order());
        (await Db.SetLengthAsync(RedisKeys.Held)).ShouldBe(0);
    }

    [Fact]
    public async Task Submit_OnTwoJobs_WaitsForBoth()
    {
        var a = await Submit();
        var b = await Submit();
        var c = await Submit(after: [a], afterAny: [b]);
        (await _store.Master.PlaceAsync(100, Lease, _epoch, Ct)).Count.ShouldBe(2);

        await End(b, JobState.Failed);
        (await View(c)).WaitingFor.ShouldBe([a]);
        await End(a, JobState.Succeeded);

        (await View(c)).WaitingFor.ShouldBeEmpty();
        (await _store.Master.PlaceAsync(100, Lease, _epoch, Ct)).Select(p => p.Id).ShouldBe([c]);
    }

    [Fact]
    public async Task Submit_UnknownDependency_RefusedNamingItAndWritesNothing()
    {
        var unknown = JobId.New(DateTimeOffset.UtcNow);
        var id = JobId.New(DateTimeOffset.UtcNow);

        var outcome = await _store.Master.SubmitAsync(id, new JobSpec { Command = ["true"], AfterAny = [unknown] }, JobOwner.Local, null, null, Ct);

        outcome.RefusedDependency.ShouldBe(unknown);
        (await Db.KeyExistsAsync(RedisKeys.Job(id))).ShouldBeFalse();
        (await Db.SortedSetLengthAsync(RedisKeys.Jobs)).ShouldBe(0);
    }

    [Fact]
    public async Task Submit_AnotherUsersDependency_RefusedAsIfUnknown()
    {
        var theirs = await Submit(owner: new JobOwner("someone-else", "else"));
        var id = JobId.New(DateTimeOffset.UtcNow);

        var outcome = await _store.Master.SubmitAsync(id, new JobSpec { Command = ["true"], After = [theirs] }, new JobOwner("me", "me"), null, null, Ct);

        outcome.RefusedDependency.ShouldBe(theirs);
        (await Db.KeyExistsAsync(RedisKeys.Job(id))).ShouldBeFalse();
        (await Db.KeyExistsAsync(RedisKeys.Dependents(theirs))).ShouldBeFalse();
    }

    [Fact]
    public async Task Submit_DependencyAlreadySucceeded_QueuedAtOnce()
    {
        var a = await Submit();
        await _store.Master.PlaceAsync(100, Lease, _epoch, Ct);
        await End(a, JobState.Succeeded);

        var b = await Submit(after: [a]);

        (await View(b)).WaitingFor.ShouldBeEmpty();
        (await Db.SortedSetScoreAsync(RedisKeys.Queue, b)).ShouldNotBeNull();
        (await Db.SetContainsAsync(RedisKeys.Held, b)).ShouldBeFalse();
    }

    [Fact]
    public async Task Submit_AfterDependencyAlreadyFailed_CancelledAtOnceWithReason()
    {
        var a = await Submit();
        await _store.Master.PlaceAsync(100, Lease, _epoch, Ct);
        await End(a, JobState.Failed);

        var b = await Submit(after: [a]);
        var c = await Submit(afterAny: [a]);

        var vb = await View(b);
        vb.State.ShouldBe(JobState.Cancelled);
        vb.Reason.ShouldBe($"dependency {a} failed");
        (await Db.SortedSetScoreAsync(RedisKeys.Queue, b)).ShouldBeNull();
        (await Db.SortedSetScoreAsync(RedisKeys.Queue, c)).ShouldNotBeNull();
    }

    [Fact]
    public async Task Stop_HeldJob_CancelledAndNoLongerHeld_ItsDependencyEndingChangesNothing()
    {
        var a = await Submit();
        var b = await Submit(after: [a]);

        (await _store.Master.StopAsync(b, Ct)).Kind.ShouldBe(StopKind.Cancelled);

        (await View(b)).State.ShouldBe(JobState.Cancelled);
        (await Db.SetContainsAsync(RedisKeys.Held, b)).ShouldBeFalse();
        await _store.Master.PlaceAsync(100, Lease, _epoch, Ct);
        await End(a, JobState.Succeeded);
        (await View(b)).State.ShouldBe(JobState.Cancelled);
        (await Db.SortedSetScoreAsync(RedisKeys.Queue, b)).ShouldBeNull();
    }

    [Fact]
    public async Task Stop_QueuedDependency_DependentCancelledAsItsDependencyWas()
    {
        var a = await Submit();
        var b = await Submit(after: [a]);

        await _store.Master.StopAsync(a, Ct);

        (await View(b)).Reason.ShouldBe($"dependency {a} was cancelled");
    }

    [Fact]
    public async Task Delete_FinishedDependency_LaterSubmitNamingItIsRefused()
    {
        var a = await Submit();
        await _store.Master.StopAsync(a, Ct);
        (await _store.Master.DeleteAsync(a, Ct)).ShouldBe(DeleteOutcome.Deleted);

        var id = JobId.New(DateTimeOffset.UtcNow);
        (await _store.Master.SubmitAsync(id, new JobSpec { Command = ["true"], After = [a] }, JobOwner.Local, null, null, Ct)).RefusedDependency.ShouldBe(a);
    }

    private async Task<string> Submit(IReadOnlyList<string>? after = null, IReadOnlyList<string>? afterAny = null, JobOwner? owner = null)
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        await Task.Delay(2, Ct); // ids (and so equal-priority order) by submit time
        var outcome = await _store.Master.SubmitAsync(id, new JobSpec { Command = ["true"], After = after, AfterAny = afterAny }, owner ?? JobOwner.Local, null, null, Ct);
        outcome.RefusedDependency.ShouldBeNull();
        return id;
    }

    private async Task End(string id, JobState state)
    {
        var fence = (await _store.ClaimAndStartAsync(id, "n", Lease, Ct)).Fence;
        (await _store.Worker.CompleteAsync(id, "n", fence, state, state == JobState.Succeeded ? 0 : 1, state == JobState.Succeeded ? null : "exited with code 1", Ct))
            .ShouldBe(CompleteOutcome.Done);
    }

    private async Task<JobView> View(string id) => (await _store.Reader.GetAsync(id, Ct))!.View;
}
