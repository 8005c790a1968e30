using System.Text.RegularExpressions;
using Atlas.Core.Jobs;
using Atlas.Core.Posix;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// Two masters (process runtime): the active one is killed with SIGKILL, the standby takes the
/// leader lease, and jobs submitted through the gateway keep being placed and run.
/// </summary>
public sealed partial class FailoverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ActiveMasterKilled_StandbyTakesOverAndJobsStillRun()
    {
        await using var cluster = await ClusterProcess.StartAsync(typeof(FailoverTests).Assembly, workers: 1, ["--runtime", "process", "--masters", "2"], cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = new Uri(cluster.GatewayUrl), Timeout = TimeSpan.FromSeconds(30) };
        (await RunJobAsync(http)).State.ShouldBe(JobState.Succeeded);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.RedisConnectionString);
        var leader = ((string)(await redis.GetDatabase().StringGetAsync("atlas:leader"))!).Split('|')[0];
        var pid = int.Parse(TableRow().Matches(cluster.Output).Single(m => m.Groups["name"].Value == leader).Groups["pid"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Signals.Kill(pid).ShouldBeTrue();

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

    // A row of the AppHost's table: "master-1     healthy   http://127.0.0.1:41234        12345"
    [GeneratedRegex(@"^(?<name>\S+)\s+healthy\s+\S+\s+(?<pid>\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
