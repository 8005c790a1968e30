using Atlas.Core.Schedules;
using Atlas.Core.Storage;
using Atlas.Master.Leadership;
using Atlas.Master.Schedules;
using Atlas.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Atlas.Master.Tests.Schedules;

/// <summary>
/// Two real masters (in-process, each with its own leader election and ticker) on one real
/// redis-server and one shared volume: the leader ticks a schedule, stops, and the standby takes
/// the schedule over with the leader lease; no tick is ever submitted twice.
/// </summary>
public sealed class ScheduleTakeoverTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Takeover_LeaderStops_StandbyTicksTheScheduleAndNoTickRunsTwice()
    {
        using var connection = await redis.ConnectEmptyAsync();
        using var shared = new TempFolder("atlas-shared");
        await using var first = Master("master-a", shared.Path);
        using var firstClient = first.Factory.CreateClient();
        await ScheduleCalls.EventuallyAsync(() => Task.FromResult(first.Factory.Services.GetRequiredService<LeaderElection>().IsLeader), l => l, TimeSpan.FromSeconds(10), "master-a leads", Ct);
        await using var second = Master("master-b", shared.Path);
        using var client = second.Factory.CreateClient();
        var standby = second.Factory.Services.GetRequiredService<LeaderElection>();
        standby.IsLeader.ShouldBeFalse();

        // Added through the standby: any master serves the API; only the leader ticks.
        var added = await client.AddScheduleAsync(ScheduleCalls.AddBody("* * * * * *", name: "every-second"), null, Ct);
        var before = await ScheduleCalls.EventuallyAsync(() => client.JobsOfAsync(added.Id, Ct), j => j.Count >= 3, TimeSpan.FromSeconds(20), "ticks under master-a", Ct);
        standby.IsLeader.ShouldBeFalse();

        await first.DisposeAsync();
        var stoppedAt = DateTimeOffset.UtcNow;
        await ScheduleCalls.EventuallyAsync(() => Task.FromResult(standby.IsLeader), l => l, TimeSpan.FromSeconds(10), "master-b takes the lead", Ct);
        await ScheduleCalls.EventuallyAsync(() => client.JobsOfAsync(added.Id, Ct), j => j.Count(x => Tick(x) > stoppedAt) >= 3, TimeSpan.FromSeconds(20), "ticks under master-b", Ct);
        await client.PostAsync("/api/v1/schedules/every-second/pause", null, Ct);
        await ScheduleCalls.SettledAsync(connection, added.Id, Ct);

        var jobs = await client.JobsOfAsync(added.Id, Ct);
        jobs.Count.ShouldBeGreaterThanOrEqualTo(before.Count + 3);
        jobs.GroupBy(j => j.Tags[ScheduledSpec.TickTag]).Where(g => g.Count() > 1).Select(g => g.Key).ShouldBeEmpty("ticks submitted twice");
        var db = connection.GetDatabase();
        foreach (var job in jobs)
        {
            (await db.ListLengthAsync(RedisKeys.History(job.Id))).ShouldBe(1, $"job {job.Id} recorded once"); // queued, once
        }
        (await db.SetLengthAsync(RedisKeys.SchedulesPending)).ShouldBe(0);
        using var list = await client.GetAsync("/api/v1/schedules", Ct);
        var view = (await list.ReadAsync<List<ScheduleView>>(Ct)).Single();
        view.LastJobId.ShouldBe(jobs.MaxBy(Tick)!.Id);
    }

    private static DateTimeOffset Tick(Core.Jobs.JobView job) =>
        DateTimeOffset.Parse(job.Tags[ScheduledSpec.TickTag], System.Globalization.CultureInfo.InvariantCulture);

    private TestMaster Master(string name, string sharedRoot)
    {
        var inner = new MasterFactory(redis);
        return new TestMaster(inner, inner.WithWebHostBuilder(b =>
        {
            b.UseSetting("Atlas:SharedRoot", sharedRoot);
            b.UseSetting("Atlas:Master:Name", name);
            b.UseSetting("Atlas:Master:LeaderLeaseSeconds", "1");
            b.UseSetting("Atlas:Master:Schedules:CheckIntervalSeconds", "0.2");
        }));
    }

    // One master; disposing it twice is harmless, so a test can stop it early.
    private sealed class TestMaster(MasterFactory inner, WebApplicationFactory<Program> factory) : IAsyncDisposable
    {
        private int _disposed;

        public WebApplicationFactory<Program> Factory => factory;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                await factory.DisposeAsync();
                await inner.DisposeAsync();
            }
        }
    }
}
