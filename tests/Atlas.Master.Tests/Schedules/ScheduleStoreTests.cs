using Atlas.Core.Jobs;
using Atlas.Core.Schedules;
using Atlas.Core.Storage;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.Master.Tests.Schedules;

/// <summary>The tick claim on a real redis-server: fenced by the leader's epoch, compare-and-set on the next run, one claim per tick, a pending tick first.</summary>
public sealed class ScheduleStoreTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private ConnectionMultiplexer _redis = null!;
    private ScheduleStore _store = null!;
    private MasterJobStore _jobs = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _redis = await redis.ConnectEmptyAsync();
        _store = new ScheduleStore(_redis);
        _jobs = new MasterJobStore(_redis);
    }

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task ClaimTick_StaleEpoch_RefusedAndChangesNothing()
    {
        var epoch = await _jobs.LeadAsync("m1", TimeSpan.FromSeconds(30), Ct);
        var schedule = await AddAsync();
        var tick = schedule.Next!.Value;

        await Should.ThrowAsync<NotLeaderException>(() => _store.ClaimTickAsync(schedule.Id, tick, tick.AddDays(1), "job", epoch + 1, Ct));

        var after = (await _store.GetAsync(schedule.Id, Ct))!;
        after.Next.ShouldBe(tick);
        after.PendingJob.ShouldBeNull();
        (await _store.PendingAsync(Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task ClaimTick_ManyAtOnce_ExactlyOneClaimsTheTick()
    {
        var epoch = await _jobs.LeadAsync("m1", TimeSpan.FromSeconds(30), Ct);
        var schedule = await AddAsync();
        var tick = schedule.Next!.Value;

        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _store.ClaimTickAsync(schedule.Id, tick, tick.AddDays(1), JobId.ForTick(schedule.Id, tick), epoch, Ct)));

        claims.Count(c => c == TickClaim.Claimed).ShouldBe(1);
        var after = (await _store.GetAsync(schedule.Id, Ct))!;
        after.Next.ShouldBe(tick.AddDays(1));
        after.PendingJob.ShouldBe(JobId.ForTick(schedule.Id, tick));
        after.PendingTick.ShouldBe(tick);
        (await _store.PendingAsync(Ct)).ShouldBe([schedule.Id]);
    }

    [Fact]
    public async Task ClaimTick_WhilePending_NextTickWaitsUntilDone()
    {
        var epoch = await _jobs.LeadAsync("m1", TimeSpan.FromSeconds(30), Ct);
        var schedule = await AddAsync();
        var tick = schedule.Next!.Value;
        (await _store.ClaimTickAsync(schedule.Id, tick, tick.AddDays(1), "job-1", epoch, Ct)).ShouldBe(TickClaim.Claimed);

        (await _store.ClaimTickAsync(schedule.Id, tick.AddDays(1), tick.AddDays(2), "job-2", epoch, Ct)).ShouldBe(TickClaim.Stale);
        await _store.TickDoneAsync(schedule.Id, "other-job", Ct); // not the pending one: nothing changes
        (await _store.PendingAsync(Ct)).ShouldBe([schedule.Id]);
        await _store.TickDoneAsync(schedule.Id, "job-1", Ct);

        (await _store.PendingAsync(Ct)).ShouldBeEmpty();
        (await _store.ClaimTickAsync(schedule.Id, tick.AddDays(1), tick.AddDays(2), "job-2", epoch, Ct)).ShouldBe(TickClaim.Claimed);
        (await _store.GetAsync(schedule.Id, Ct))!.LastJob.ShouldBe("job-2");
    }

    [Fact]
    public async Task ClaimTick_PausedOrRemoved_NotClaimedAndLeavesTheDueSet()
    {
        var epoch = await _jobs.LeadAsync("m1", TimeSpan.FromSeconds(30), Ct);
        var paused = await AddAsync();
        var removed = await AddAsync();
        (await _store.PauseAsync(paused.Id, Ct)).ShouldBeTrue();
        (await _store.DeleteAsync(removed.Id, Ct)).ShouldBeTrue();

        (await _store.ClaimTickAsync(paused.Id, paused.Next!.Value, paused.Next.Value.AddDays(1), "j", epoch, Ct)).ShouldBe(TickClaim.Paused);
        (await _store.ClaimTickAsync(removed.Id, removed.Next!.Value, removed.Next.Value.AddDays(1), "j", epoch, Ct)).ShouldBe(TickClaim.Missing);
        (await _store.DueAsync(DateTimeOffset.MaxValue, 100, Ct)).ShouldBeEmpty();
        (await _store.DeleteAsync(removed.Id, Ct)).ShouldBeFalse();

        var resumeAt = DateTimeOffset.UtcNow.AddHours(1);
        (await _store.ResumeAsync(paused.Id, resumeAt, Ct)).ShouldBeTrue();
        (await _store.DueAsync(DateTimeOffset.MaxValue, 100, Ct)).ShouldBe([paused.Id]);
        (await _store.GetAsync(paused.Id, Ct))!.Next!.Value.ToUnixTimeMilliseconds().ShouldBe(resumeAt.ToUnixTimeMilliseconds());
    }

    private async Task<ScheduleRecord> AddAsync()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var schedule = new ScheduleRecord
        {
            Id = JobId.New(now),
            Cron = "0 3 * * *",
            TimeZone = "UTC",
            Owner = JobOwner.Local,
            Spec = new JobSpec { Command = ["true"] },
            Next = now.AddMinutes(-1),
            CreatedAt = now,
        };
        (await _store.AddAsync(schedule, Ct)).ShouldBeTrue();
        return schedule;
    }
}
