using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Master.Leadership;
using Atlas.Master.Schedules;
using Atlas.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Atlas.Master.Tests.Schedules;

/// <summary>
/// The ticker on a fake clock (the master's own services, real Redis): days pass in a call, so
/// the daily schedule's ticks, the fold of missed ticks into one, and the move to the next tick
/// after now are exact.
/// </summary>
public sealed class ScheduleTickerClockTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private MasterFactory _master = null!;
    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        using (var connection = RedisConnector.Connect(redis.ConnectionString))
        {
            await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
        }
        _master = new MasterFactory(redis);
        // The hosted ticker looks only once an hour: the test drives its own, on the fake clock.
        _factory = _master.WithWebHostBuilder(b => b.UseSetting("Atlas:Master:Schedules:CheckIntervalSeconds", "3600"));
        _client = _factory.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _master.DisposeAsync();
    }

    [Fact]
    public async Task Tick_DaysPassOnTheFakeClock_OneJobPerLookForTheEarliestTickThenTheNextAfterNow()
    {
        var added = await _client.AddScheduleAsync(ScheduleCalls.AddBody("0 3 * * *"), null, Ct);
        var first = added.NextRunAt!.Value;
        var clock = new FakeTimeProvider(first.AddMinutes(-1));
        var ticker = ActivatorUtilities.CreateInstance<ScheduleTicker>(_factory.Services, (TimeProvider)clock);
        var leader = _factory.Services.GetRequiredService<LeaderElection>();
        await ScheduleCalls.EventuallyAsync(() => Task.FromResult(leader.Epoch), e => e != 0, TimeSpan.FromSeconds(10), "the master leads", Ct);
        var store = _factory.Services.GetRequiredService<ScheduleStore>();

        await ticker.TickAsync(leader.Epoch, Ct); // a minute early: nothing
        (await _client.JobsOfAsync(added.Id, Ct)).ShouldBeEmpty();

        clock.SetUtcNow(first);
        await ticker.TickAsync(leader.Epoch, Ct);
        await ticker.TickAsync(leader.Epoch, Ct); // the same instant again: the tick is claimed already
        (await _client.JobsOfAsync(added.Id, Ct)).Select(j => j.Id).ShouldBe([JobId.ForTick(added.Id, first)]);
        (await store.GetAsync(added.Id, Ct))!.Next.ShouldBe(first.AddDays(1));

        // No master looked for three days and an hour: one catch-up job, for the earliest missed tick.
        clock.SetUtcNow(first.AddDays(3).AddHours(1));
        await ticker.TickAsync(leader.Epoch, Ct);
        await ticker.TickAsync(leader.Epoch, Ct);
        var jobs = await _client.JobsOfAsync(added.Id, Ct);
        jobs.Select(j => j.Id).Order(StringComparer.Ordinal).ShouldBe([JobId.ForTick(added.Id, first), JobId.ForTick(added.Id, first.AddDays(1))]);
        var after = (await store.GetAsync(added.Id, Ct))!;
        after.Next.ShouldBe(first.AddDays(4));
        after.LastTick.ShouldBe(first.AddDays(1));
        after.PendingJob.ShouldBeNull();
    }

    [Fact]
    public async Task Tick_StaleEpoch_SubmitsNothingAndLeavesTheTick()
    {
        var added = await _client.AddScheduleAsync(ScheduleCalls.AddBody("0 3 * * *"), null, Ct);
        var clock = new FakeTimeProvider(added.NextRunAt!.Value);
        var ticker = ActivatorUtilities.CreateInstance<ScheduleTicker>(_factory.Services, (TimeProvider)clock);
        var leader = _factory.Services.GetRequiredService<LeaderElection>();
        await ScheduleCalls.EventuallyAsync(() => Task.FromResult(leader.Epoch), e => e != 0, TimeSpan.FromSeconds(10), "the master leads", Ct);

        await Should.ThrowAsync<NotLeaderException>(() => ticker.TickAsync(leader.Epoch + 1, Ct));

        (await _client.JobsOfAsync(added.Id, Ct)).ShouldBeEmpty();
        var schedule = (await _factory.Services.GetRequiredService<ScheduleStore>().GetAsync(added.Id, Ct))!;
        schedule.Next.ShouldBe(added.NextRunAt);
        schedule.LastJob.ShouldBeNull();
    }
}
