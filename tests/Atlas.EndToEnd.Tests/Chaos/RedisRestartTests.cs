using System.Net.Http.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;

namespace Atlas.EndToEnd.Tests.Chaos;

/// <summary>
/// Redis dies (SIGKILL) under a running cluster and comes back on the same port and append-only
/// file (<c>appendfsync always</c>), after 8 s away: no acknowledged job is lost, jobs that end
/// during the outage or after it complete once, a submit meanwhile gets a 503 and leaves nothing
/// behind, and the services reconnect by themselves and carry on.
/// </summary>
public sealed class RedisRestartTests
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Atlas__Worker__HeartbeatSeconds"] = "1",
        ["Atlas__LeaseSeconds"] = "20",
        ["Atlas__Worker__InboxCheckSeconds"] = "1",
        ["Atlas__Worker__DrainGraceSeconds"] = "2",
        ["Atlas__Master__IdleRescheduleSeconds"] = "1",
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RedisKilledAndRestarted_ServicesReconnectAndJobsCarryOn()
    {
        await using var cluster = await ChaosCluster.StartAsync(masters: 1, workers: 1, slots: 2, Settings, Ct);
        using var http = new HttpClient { BaseAddress = new Uri(cluster.GatewayUrl), Timeout = TimeSpan.FromSeconds(30) };
        var before = await GatewayJobs.SubmitAsync(http, new JobSpec { Command = ["true"] }, Ct);
        (await GatewayJobs.WaitEndedAsync(http, before, TimeSpan.FromSeconds(60), Ct)).State.ShouldBe(JobState.Succeeded);
        // One job ends while Redis is away, the other after it is back.
        var during = await GatewayJobs.SubmitAsync(http, new JobSpec { Command = ["sleep", "2"] }, Ct);
        var after = await GatewayJobs.SubmitAsync(http, new JobSpec { Command = ["sleep", "12"] }, Ct);
        foreach (var id in new[] { during, after })
        {
            while ((await http.GetFromJsonAsync<JobView>($"/api/v1/jobs/{id}", AtlasJson.Options, Ct))!.State is JobState.Queued or JobState.Assigned or JobState.Starting)
            {
                await Task.Delay(50, Ct);
            }
        }

        cluster.Kill("redis");
        var outage = Task.Delay(TimeSpan.FromSeconds(8), Ct); // longer than a Redis call waits (5 s)
        using (var refused = await GatewayJobs.PostAsync(http, new JobSpec { Command = ["true"] }, Ct))
        {
            ((int)refused.StatusCode).ShouldBe(503, await refused.Content.ReadAsStringAsync(Ct));
            refused.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        }
        await outage;
        await cluster.StartAsync("redis", Ct);

        foreach (var id in new[] { during, after })
        {
            var job = await GatewayJobs.WaitEndedAsync(http, id, TimeSpan.FromSeconds(60), Ct);
            job.State.ShouldBe(JobState.Succeeded, cluster.Tail("worker-1"));
            job.History.Count(h => JobStateMachine.IsTerminal(h.State)).ShouldBe(1);
            job.Attempt.ShouldBe(1, cluster.Tail("worker-1"));
        }
        (await http.GetFromJsonAsync<JobView>($"/api/v1/jobs/{before}", AtlasJson.Options, Ct))!.State.ShouldBe(JobState.Succeeded);
        var next = await GatewayJobs.SubmitAsync(http, new JobSpec { Command = ["true"] }, Ct);
        (await GatewayJobs.WaitEndedAsync(http, next, TimeSpan.FromSeconds(60), Ct)).State.ShouldBe(JobState.Succeeded, cluster.Tail("master"));
        // The refused submit left nothing: no record, no job folder, no upload.
        var jobs = (await http.GetFromJsonAsync<List<JobView>>("/api/v1/jobs", AtlasJson.Options, Ct))!;
        jobs.Select(j => j.Id).Order().ShouldBe(new[] { before, during, after, next }.Order());
        Directory.GetDirectories(Path.Combine(cluster.SharedRoot, "jobs")).Length.ShouldBe(4);
        Directory.GetFileSystemEntries(Path.Combine(cluster.SharedRoot, "uploads")).ShouldBeEmpty();
        // The node keeps beating: still ready well after a few heartbeats.
        await Task.Delay(TimeSpan.FromSeconds(4), Ct);
        var nodes = (await http.GetFromJsonAsync<List<NodeView>>("/api/v1/nodes", AtlasJson.Options, Ct))!;
        nodes.Single().State.ShouldBe(NodeState.Ready);

        await cluster.StopAsync();
        cluster.ProcessesLeft().ShouldBeEmpty();
    }
}
