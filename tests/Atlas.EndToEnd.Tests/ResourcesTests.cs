using Atlas.Core.Jobs;
using Atlas.Testing;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// The cluster as a user starts it (the built AppHost with <c>--gpus-per-worker</c>, process
/// runtime) and the real CLI: <c>atlas nodes</c> shows each worker's declared GPUs, CPU, memory
/// and limits, and <c>atlas submit --time-limit</c> ends a job failed, "time limit".
/// </summary>
public sealed class ResourcesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GpusPerWorker_NodesShowsThem_AndTimeLimitEndsAJob()
    {
        await using var cluster = await ClusterProcess.StartAsync(typeof(ResourcesTests).Assembly, workers: 2, ["--runtime", "process", "--gpus-per-worker", "2"], cancellationToken: Ct);
        using var home = new TempFolder("atlas-home");
        using var project = new TempFolder("atlas-project");
        var cli = new AtlasCli(cluster.GatewayUrl, home.Path);

        var nodes = await cli.RunAsync("nodes");

        nodes.ExitCode.ShouldBe(0, nodes.Stderr);
        foreach (var worker in new[] { "worker-1", "worker-2" })
        {
            var line = nodes.Stdout.Split('\n').Single(l => l.StartsWith(worker + " ", StringComparison.Ordinal) && l.Contains("ready", StringComparison.Ordinal));
            line.ShouldContain("0/2 [0,1]", customMessage: nodes.Stdout);
            line.ShouldContain("process");
        }

        var submitted = await cli.RunAsync("submit", "--time-limit", "2s", project.Path, "--", "/bin/sh", "-c", "echo begun; sleep 60");
        submitted.ExitCode.ShouldBe(0, submitted.Stderr);
        using var gateway = new HttpClient { BaseAddress = new Uri(cluster.GatewayUrl) };
        var job = await GatewayJobs.WaitEndedAsync(gateway, submitted.Stdout.Trim(), TimeSpan.FromSeconds(60), Ct);

        job.State.ShouldBe(JobState.Failed, cluster.Output);
        job.Reason.ShouldBe("time limit");
        var status = await cli.RunAsync("status", job.Id);
        status.Stdout.ShouldContain("time limit");
    }
}
