using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.Core.Tests.Storage;

/// <summary>Retries (<c>--retries</c>, <c>--retry-on</c>) and the failedOn record, through the real scripts on a real redis-server.</summary>
public sealed class RetryTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private ConnectionMultiplexer _connection = null!;
    private JobStores _store = null!;
    private long _epoch;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _connection = await redis.ConnectEmptyAsync();
        _store = new JobStores(_connection);
        _epoch = await _store.Master.LeadAsync("test-master", TimeSpan.FromMinutes(1), Ct);
        await _store.Worker.RegisterNodeAsync(new NodeRegistration("n1", "http://n1:1", "process", 4), TimeSpan.FromMinutes(1), Ct);
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task Complete_Exit137WithTwoRetriesOn137_RunsThreeAttemptsThenFails()
    {
        var id = await Submit(retries: 2, retryOn: [137]);

        (await RunOnce(id, 137)).ShouldBe(CompleteOutcome.Retried);
        (await RunOnce(id, 137)).ShouldBe(CompleteOutcome.Retried);
        (await RunOnce(id, 137)).ShouldBe(CompleteOutcome.Done);

        var job = (await _store.Reader.GetAsync(id, Ct))!.View;
        job.State.ShouldBe(JobState.Failed);
        job.Attempt.ShouldBe(3);
        job.Retried.ShouldBe(2);
        job.Retries.ShouldBe(2);
        job.ExitCode.ShouldBe(137);
        job.FailedOn.ShouldBe(["n1", "n1"]);
        job.History.Select(h => h.State).ShouldBe([
            JobState.Queued, JobState.Assigned, JobState.Starting, JobState.Running, JobState.Queued,
            JobState.Assigned, JobState.Starting, JobState.Running, JobState.Queued,
            JobState.Assigned, JobState.Starting, JobState.Running, JobState.Failed]);
        var retry = job.History[4];
        retry.Node.ShouldBe("n1");
        retry.Reason.ShouldBe("exited with code 137 (attempt 1, exit code 137, on n1); retry 1 of 2");
        job.History.Count(h => h.State == JobState.Failed).ShouldBe(1, "failed is recorded once, as the end");
    }

    [Fact]
    public async Task Complete_Exit1WithRetryOn137_FailsAtOnce()
    {
        var id = await Submit(retries: 2, retryOn: [137]);

        (await RunOnce(id, 1)).ShouldBe(CompleteOutcome.Done);

        var job = (await _store.Reader.GetAsync(id, Ct))!.View;
        job.State.ShouldBe(JobState.Failed);
        job.Attempt.ShouldBe(1);
        job.FailedOn.ShouldBeEmpty();
    }

    [Fact]
    public async Task Complete_RetryOnEmpty_RetriesAnyNonZeroExitButNotSuccessOrCancel()
    {
        var failing = await Submit(retries: 1);
        (await RunOnce(failing, 3)).ShouldBe(CompleteOutcome.Retried);
        (await _store.Reader.StateAsync(failing, Ct)).ShouldBe(JobState.Queued);

        var cancelled = await Submit(retries: 1);
        (await RunOnce(cancelled, 143, JobState.Cancelled, "stopped by user")).ShouldBe(CompleteOutcome.Done);
        (await _store.Reader.StateAsync(cancelled, Ct)).ShouldBe(JobState.Cancelled);

        var succeeding = await Submit(retries: 1);
        (await RunOnce(succeeding, 0, JobState.Succeeded)).ShouldBe(CompleteOutcome.Done);
        (await _store.Reader.StateAsync(succeeding, Ct)).ShouldBe(JobState.Succeeded);
    }

    [Fact]
    public async Task Complete_NoRetries_FailsAsBefore()
    {
        var id = await Submit(retries: 0);
        (await RunOnce(id, 137)).ShouldBe(CompleteOutcome.Done);
        (await _store.Reader.StateAsync(id, Ct)).ShouldBe(JobState.Failed);
    }

    [Theory]
    [InlineData("time limit", new int[0], false)]
    [InlineData("time limit (2h)", new int[0], false)]
    [InlineData("stopped at its time limit of 2h", new int[0], false)]
    [InlineData("out of memory", new int[0], false)]
    [InlineData("time limit", new[] { 137 }, true)]
    [InlineData("out of memory", new[] { 137 }, true)]
    [InlineData("time limit", new[] { 143 }, false)]
    public async Task Complete_TimeLimitOrOutOfMemory_RetriedOnlyWhenItsCodeIsListed(string reason, int[] retryOn, bool retried)
    {
        var id = await Submit(retries: 1, retryOn: retryOn);

        (await RunOnce(id, 137, JobState.Failed, reason)).ShouldBe(retried ? CompleteOutcome.Retried : CompleteOutcome.Done);

        (await _store.Reader.StateAsync(id, Ct)).ShouldBe(retried ? JobState.Queued : JobState.Failed);
    }

    [Fact]
    public async Task Complete_RetryThenSuccess_SucceedsOnTheSecondAttempt()
    {
        var id = await Submit(retries: 3, retryOn: [137]);

        (await RunOnce(id, 137)).ShouldBe(CompleteOutcome.Retried);
        (await RunOnce(id, 0, JobState.Succeeded)).ShouldBe(CompleteOutcome.Done);

        var job = (await _store.Reader.GetAsync(id, Ct))!.View;
        job.State.ShouldBe(JobState.Succeeded);
        job.Attempt.ShouldBe(2);
        job.Retried.ShouldBe(1);
    }

    [Fact]
    public async Task Complete_StaleToken_CannotTriggerARetry()
    {
        var id = await Submit(retries: 2, retryOn: [137]);
        await _store.Master.PlaceAsync(10, Lease, _epoch, Ct);
        var first = await _store.ClaimAndStartAsync(id, "n1", Lease, Ct);
        // The lease lapses: the job is requeued and placed again under a new token.
        await _connection.GetDatabase().SortedSetAddAsync(RedisKeys.Leases, id, 0, SortedSetWhen.Exists);
        await _store.Master.ReapAsync(10, maxAttempts: 5, _epoch, Ct);
        await _store.Master.PlaceAsync(10, Lease, _epoch, Ct);
        var second = await _store.ClaimAndStartAsync(id, "n1", Lease, Ct);

        (await _store.Worker.CompleteAsync(id, "n1", first.Fence, JobState.Failed, 137, "exited with code 137", Ct)).ShouldBe(CompleteOutcome.Stale);

        var job = (await _store.Reader.GetAsync(id, Ct))!;
        job.View.State.ShouldBe(JobState.Running);
        job.Fence.ShouldBe(second.Fence);
        job.View.Retried.ShouldBe(0);
        job.View.FailedOn.ShouldBeEmpty();
    }

    [Fact]
    public async Task Complete_StopAsked_FailureIsNotRetried()
    {
        var id = await Submit(retries: 2, retryOn: [137]);
        await _store.Master.PlaceAsync(10, Lease, _epoch, Ct);
        var claimed = await _store.ClaimAndStartAsync(id, "n1", Lease, Ct);
        await _store.Master.StopAsync(id, Ct);

        (await _store.Worker.CompleteAsync(id, "n1", claimed.Fence, JobState.Failed, 137, "exited with code 137", Ct)).ShouldBe(CompleteOutcome.Done);

        (await _store.Reader.StateAsync(id, Ct)).ShouldBe(JobState.Failed);
    }

    [Fact]
    public async Task Reap_AfterRetries_CountsOnlyLeaseLossesAgainstMaxAttempts()
    {
        var id = await Submit(retries: 2, retryOn: [137]);
        (await RunOnce(id, 137)).ShouldBe(CompleteOutcome.Retried);
        (await RunOnce(id, 137)).ShouldBe(CompleteOutcome.Retried);
        await _store.Master.PlaceAsync(10, Lease, _epoch, Ct);
        await _store.ClaimAndStartAsync(id, "n1", Lease, Ct);

        await _connection.GetDatabase().SortedSetAddAsync(RedisKeys.Leases, id, 0, SortedSetWhen.Exists);
        await _store.Master.ReapAsync(10, maxAttempts: 2, _epoch, Ct);

        var job = (await _store.Reader.GetAsync(id, Ct))!.View;
        job.State.ShouldBe(JobState.Queued, "attempt 3 was the first lease loss; two are allowed");
        job.Attempt.ShouldBe(4);
    }

    [Fact]
    public async Task Complete_FailuresOnTwoNodes_ListsEachNodeOncePerFailure()
    {
        await _store.Worker.RegisterNodeAsync(new NodeRegistration("n2", "http://n2:1", "process", 4), TimeSpan.FromMinutes(1), Ct);
        var id = await Submit(retries: 3, retryOn: [137]);
        var nodes = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var placed = (await _store.Master.PlaceAsync(10, Lease, _epoch, Ct)).ShouldHaveSingleItem();
            nodes.Add(placed.Node);
            var claimed = await _store.ClaimAndStartAsync(id, placed.Node, Lease, Ct);
            (await _store.Worker.CompleteAsync(id, placed.Node, claimed.Fence, JobState.Failed, 137, "exited with code 137", Ct)).ShouldBe(CompleteOutcome.Retried);
        }

        (await _store.Reader.GetAsync(id, Ct))!.View.FailedOn.ShouldBe(nodes);
        ((string?)await _connection.GetDatabase().HashGetAsync(RedisKeys.Job(id), "failedOn")).ShouldBe(string.Join(',', nodes));
    }

    [Fact]
    public async Task Place_FailedTwiceOnANode_NextAttemptAvoidsItWhenAnotherFits()
    {
        var id = await Submit(retries: 5, retryOn: [137]);
        (await RunOnce(id, 137)).ShouldBe(CompleteOutcome.Retried);
        (await RunOnce(id, 137)).ShouldBe(CompleteOutcome.Retried);
        // n2 has more free slots than n1: placement fits best (least left over), so without avoidance n1 would get the job.
        await _store.Worker.RegisterNodeAsync(new NodeRegistration("n2", "http://n2:1", "process", 8), TimeSpan.FromMinutes(1), Ct);

        (await _store.Master.PlaceAsync(10, Lease, _epoch, Ct)).ShouldHaveSingleItem().Node.ShouldBe("n2");
    }

    [Fact]
    public async Task Place_FailedTwiceOnTheOnlyFreeNode_StillPlacesThere()
    {
        await _store.Worker.RegisterNodeAsync(new NodeRegistration("n2", "http://n2:1", "process", 1), TimeSpan.FromMinutes(1), Ct);
        var first = await Submit(retries: 5, retryOn: [137]);
        var second = await Submit(retries: 5, retryOn: [137]);
        foreach (var id in new[] { first, second })
        {
            await _connection.GetDatabase().HashSetAsync(RedisKeys.Job(id), "failedOn", "n1,n2,n1");
        }

        var placed = await _store.Master.PlaceAsync(10, Lease, _epoch, Ct);

        // The job placed first (two submits in one millisecond may go either way) takes n2, as n1 is
        // avoided while n2 has room; the other then gets the avoided n1 rather than waiting.
        placed.Select(p => p.Id).Order().ShouldBe(new[] { first, second }.Order());
        placed.Select(p => p.Node).ShouldBe(["n2", "n1"]);
    }

    [Fact]
    public async Task Place_FailedOnceOnANode_IsNotAvoided()
    {
        var id = await Submit(retries: 5, retryOn: [137]);
        (await RunOnce(id, 137)).ShouldBe(CompleteOutcome.Retried);
        // n1 fits best (fewer slots left over than n2's 8): one failure there does not move the job.
        await _store.Worker.RegisterNodeAsync(new NodeRegistration("n2", "http://n2:1", "process", 8), TimeSpan.FromMinutes(1), Ct);

        (await _store.Master.PlaceAsync(10, Lease, _epoch, Ct)).ShouldHaveSingleItem().Node.ShouldBe("n1");
    }

    private async Task<string> Submit(int retries, IReadOnlyList<int>? retryOn = null)
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        await _store.Master.SubmitAsync(id, new JobSpec { Command = ["true"], Retries = retries, RetryOn = retryOn }, JobOwner.Local, null, null, Ct);
        return id;
    }

    /// <summary>Places the job on n1, claims and starts it, and reports its end.</summary>
    private async Task<CompleteOutcome> RunOnce(string id, int exit, JobState state = JobState.Failed, string? reason = null)
    {
        (await _store.Master.PlaceAsync(10, Lease, _epoch, Ct)).ShouldContain(p => p.Id == id);
        var claimed = await _store.ClaimAndStartAsync(id, "n1", Lease, Ct);
        return await _store.Worker.CompleteAsync(id, "n1", claimed.Fence, state, exit, reason ?? $"exited with code {exit}", Ct);
    }
}
