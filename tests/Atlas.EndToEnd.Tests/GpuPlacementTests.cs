using System.Net;
using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using StackExchange.Redis;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// Placement on the real cluster (AppHost, process runtime, a real worker): GPU jobs get their own
/// GPU ids, a job that finds none free waits and says why, and a job larger than any node is
/// refused at submit. The worker's GPUs are declared on its node record (the <c>gpus</c> field its
/// registration writes once it detects or is told of GPUs), so no GPU is needed.
/// </summary>
public sealed class GpuPlacementTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GpuJobs_RealWorker_NeverShareAGpu_AndTheThirdWaitsWithItsReason()
    {
        await using var cluster = await AppHostCluster.StartAsync(workers: 1, ["--runtime", "process", "--slots", "4"], cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = new Uri(cluster.GatewayUrl), Timeout = TimeSpan.FromSeconds(30) };
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.RedisConnectionString);
        var db = redis.GetDatabase();
        string? node = null;
        for (var i = 0; i < 200 && node is null; i++)
        {
            node = (string?)(await db.SetMembersAsync(RedisKeys.Nodes)).FirstOrDefault();
            await Task.Delay(100, Ct);
        }
        node.ShouldNotBeNull();
        await db.HashSetAsync(RedisKeys.Node(node), "gpus", "0,1");

        using (var refused = await GatewayJobs.PostAsync(http, new JobSpec { Command = ["true"], Resources = new JobResources { Gpus = 3 } }, Ct))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await refused.Content.ReadAsStringAsync(Ct)).ShouldContain($"the largest node, {node}, has 2");
        }

        var spec = new JobSpec { Command = ["/bin/sh", "-c", "sleep 4"], Resources = new JobResources { Gpus = 1 } };
        var ids = new[] { await GatewayJobs.SubmitAsync(http, spec, Ct), await GatewayJobs.SubmitAsync(http, spec, Ct), await GatewayJobs.SubmitAsync(http, spec, Ct) };

        var first = await GatewayJobs.WaitForAsync(http, ids[0], j => j.State == JobState.Running, TimeSpan.FromSeconds(60), Ct);
        var second = await GatewayJobs.WaitForAsync(http, ids[1], j => j.State == JobState.Running, TimeSpan.FromSeconds(60), Ct);
        var third = await GatewayJobs.WaitForAsync(http, ids[2], j => j.WaitReason?.StartsWith("needs 1 GPU; none is free", StringComparison.Ordinal) == true || j.State != JobState.Queued,
            TimeSpan.FromSeconds(30), Ct);

        third.State.ShouldBe(JobState.Queued, cluster.Output);
        third.WaitReason.ShouldNotBeNull().ShouldStartWith("needs 1 GPU; none is free");
        first.GpuIds.Concat(second.GpuIds).Order().ShouldBe(["0", "1"]);
        var ended = new List<JobView>();
        foreach (var id in ids)
        {
            ended.Add(await GatewayJobs.WaitEndedAsync(http, id, TimeSpan.FromSeconds(60), Ct));
        }
        ended.ShouldAllBe(j => j.State == JobState.Succeeded, cluster.Output);
        ended[2].GpuIds.Single().ShouldBeOneOf("0", "1");
        ended[2].StartedAt!.Value.ShouldBeGreaterThanOrEqualTo(ended.Take(2).Min(j => j.FinishedAt!.Value));
    }
}
