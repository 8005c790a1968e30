using System.Globalization;
using System.Net.Http.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Posix;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// A schedule across a master takeover: the whole cluster with two masters (process runtime),
/// a schedule added with the real CLI ticks every second, the leading master is killed with
/// SIGKILL, the standby takes the schedule over with the lead, and no tick is submitted twice.
/// </summary>
public sealed class ScheduleFailoverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LeaderKilled_StandbyTicksTheScheduleOnAndNoTickRunsTwice()
    {
        await using var cluster = await AppHostCluster.StartAsync(workers: 1, ["--runtime", "process", "--masters", "2"],
            new Dictionary<string, string> { ["Atlas:Master:LeaderLeaseSeconds"] = "2" }, cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = new Uri(cluster.GatewayUrl), Timeout = TimeSpan.FromSeconds(30) };
        using var home = new TempFolder("atlas-home");
        using var project = new TempFolder("atlas-project");
        File.WriteAllText(Path.Combine(project.Path, "tick.sh"), "echo tick\n");
        var cli = new AtlasCli(cluster.GatewayUrl, home.Path);

        var added = await cli.RunAsync("schedule", "add", "--cron", "* * * * * *", "--name", "every-second", project.Path, "--", "/bin/sh", "tick.sh");
        added.ExitCode.ShouldBe(0, added.Stderr);
        var id = added.Stdout.Split(' ')[0];
        await EventuallyAsync(() => JobsAsync(http, id), j => j.Count >= 3, "ticks under the first leader", cluster);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.RedisConnectionString);
        var leader = ((string)(await redis.GetDatabase().StringGetAsync("atlas:leader"))!).Split('|')[0];
        Signals.Kill(cluster.Pid(leader)).ShouldBeTrue();
        var killedAt = DateTimeOffset.UtcNow;
        await EventuallyAsync(() => JobsAsync(http, id), j => j.Count(x => Tick(x) > killedAt.AddSeconds(1)) >= 3, "ticks under the new leader", cluster);
        var paused = await cli.RunAsync("schedule", "pause", "every-second");
        paused.ExitCode.ShouldBe(0, paused.Stderr);
        var db = redis.GetDatabase();
        var settled = DateTime.UtcNow.AddSeconds(30);
        while (await db.SetLengthAsync("atlas:schedules:pending") > 0 && DateTime.UtcNow < settled)
        {
            await Task.Delay(200, Ct); // a tick claimed just before the pause is still being submitted
        }

        var newLeader = ((string)(await redis.GetDatabase().StringGetAsync("atlas:leader"))!).Split('|')[0];
        newLeader.ShouldNotBe(leader);
        var jobs = await JobsAsync(http, id);
        jobs.GroupBy(j => j.Tags["schedule_tick"]).Where(g => g.Count() > 1).Select(g => g.Key).ShouldBeEmpty("ticks submitted twice");
        foreach (var job in jobs)
        {
            var queued = (await db.ListRangeAsync($"atlas:job:{job.Id}:history")).Count(e => ((string)e!).Contains("\"queued\"", StringComparison.Ordinal));
            queued.ShouldBe(1, $"job {job.Id} queued once");
        }
        (await db.SetLengthAsync("atlas:schedules:pending")).ShouldBe(0);
        var done = await GatewayJobs.WaitEndedAsync(http, jobs.MaxBy(Tick)!.Id, TimeSpan.FromSeconds(60), Ct);
        done.State.ShouldBe(JobState.Succeeded, cluster.Output);
        var listed = await cli.RunAsync("schedule", "ls");
        listed.Stdout.ShouldContain("every-second");
    }

    private static DateTimeOffset Tick(JobView job) => DateTimeOffset.Parse(job.Tags["schedule_tick"], CultureInfo.InvariantCulture);

    private static async Task<List<JobView>> JobsAsync(HttpClient http, string scheduleId)
    {
        var jobs = (await http.GetFromJsonAsync<List<JobView>>("/api/v1/jobs?limit=10000", AtlasJson.Options, Ct))!;
        return [.. jobs.Where(j => j.Tags.TryGetValue("schedule", out var s) && s == scheduleId)];
    }

    // The gateway may answer one call with an error while it learns that a master died.
    private static async Task<List<JobView>> ReadOrEmptyAsync(Func<Task<List<JobView>>> read)
    {
        try
        {
            return await read();
        }
        catch (HttpRequestException)
        {
            return [];
        }
    }

    private static async Task EventuallyAsync(Func<Task<List<JobView>>> read, Func<List<JobView>, bool> condition, string what, AppHostCluster cluster)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition(await ReadOrEmptyAsync(read)))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what}: not within 60 s\n{cluster.Output}");
            }
            await Task.Delay(200, Ct);
        }
    }
}
