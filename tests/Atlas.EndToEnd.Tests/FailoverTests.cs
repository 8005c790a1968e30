using Atlas.Core.Jobs;
using Atlas.Core.Posix;
using StackExchange.Redis;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// Two masters (process runtime): the active one is killed with SIGKILL, the standby takes the
/// leader lease, and jobs submitted through the gateway keep being placed and run.
/// </summary>
public sealed class FailoverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ActiveMasterKilled_StandbyTakesOverAndJobsStillRun()
    {
        await using var cluster = await AppHostCluster.StartAsync(workers: 1, ["--runtime", "process", "--masters", "2"], cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = new Uri(cluster.GatewayUrl), Timeout = TimeSpan.FromSeconds(30) };
        (await RunJobAsync(http)).State.ShouldBe(JobState.Succeeded);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.RedisConnectionString);
        var leader = ((string)(await redis.GetDatabase().StringGetAsync("atlas:leader"))!).Split('|')[0];
        Signals.Kill(cluster.Pid(leader)).ShouldBeTrue();

        var job = await RunJobAsync(http);

        job.State.ShouldBe(JobState.Succeeded, cluster.Output);
        var newLeader = ((string)(await redis.GetDatabase().StringGetAsync("atlas:leader"))!).Split('|')[0];
        newLeader.ShouldNotBe(leader);
    }

    private static async Task<JobView> RunJobAsync(HttpClient http)
    {
        var id = await GatewayJobs.SubmitAsync(http, new JobSpec { Command = ["/bin/sh", "-c", "echo ok"] }, Ct);
        return await GatewayJobs.WaitEndedAsync(http, id, TimeSpan.FromSeconds(60), Ct);
    }
}
