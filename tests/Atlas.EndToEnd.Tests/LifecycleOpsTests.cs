using System.Net.Http.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using Atlas.Testing;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// Retries, <c>atlas priority</c> and <c>atlas stop --all-queued</c> through the real CLI on a real
/// cluster (the AppHost's model, one worker on the process runtime, single-user mode: the one user is an admin).
/// </summary>
public sealed class LifecycleOpsTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>, IAsyncLifetime
{
    private static readonly TimeSpan JobLimit = TimeSpan.FromSeconds(90);
    private readonly TempFolder _home = new("atlas-home");
    private readonly TempFolder _project = new("atlas-project");
    private HttpClient _http = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AppHostCluster Cluster => fixture.Cluster;

    private AtlasCli Cli => new(Cluster.GatewayUrl, _home.Path);

    public ValueTask InitializeAsync()
    {
        File.WriteAllText(_project.Combine("run.sh"), "echo \"attempt $ATLAS_ATTEMPT\"\n");
        _http = new HttpClient { BaseAddress = new Uri(Cluster.GatewayUrl), Timeout = TimeSpan.FromSeconds(30) };
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        _home.Dispose();
        _project.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Retries_ThroughTheCli_RetryListedCodesThenFail_AndFailUnlistedOnesAtOnce()
    {
        var retried = await SubmitAsync("--retries", "2", "--retry-on", "137", _project.Path, "--", "/bin/sh", "-c", "sh run.sh; exit 137");
        var unlisted = await SubmitAsync("--retries", "2", "--retry-on", "137", _project.Path, "--", "/bin/sh", "-c", "exit 1");
        var recovers = await SubmitAsync("--retries", "1", _project.Path, "--", "/bin/sh", "-c", "[ \"$ATLAS_ATTEMPT\" = 2 ] || exit 5");

        var job = await GatewayJobs.WaitEndedAsync(_http, retried, JobLimit, Ct);
        job.State.ShouldBe(JobState.Failed, Cluster.Output);
        job.Attempt.ShouldBe(3);
        job.ExitCode.ShouldBe(137);
        job.FailedOn.Count.ShouldBe(2);
        job.History.Count(h => h.State == JobState.Running).ShouldBe(3);
        var status = await Cli.RunAsync("status", retried);
        status.ExitCode.ShouldBe(0, status.Stderr);
        status.Stdout.ShouldContain("retries:   2 of 2 used (failed on ");
        status.Stdout.ShouldContain("exit code 137");

        var once = await GatewayJobs.WaitEndedAsync(_http, unlisted, JobLimit, Ct);
        once.State.ShouldBe(JobState.Failed);
        once.Attempt.ShouldBe(1);

        var later = await GatewayJobs.WaitEndedAsync(_http, recovers, JobLimit, Ct);
        later.State.ShouldBe(JobState.Succeeded);
        later.Attempt.ShouldBe(2);

        var bad = await Cli.RunAsync("submit", "--retries", "1", "--retry-on", "137,abc", _project.Path, "--", "true");
        bad.ExitCode.ShouldBe(2);
        bad.Stderr.ShouldContain("--retry-on: 'abc'");
    }

    [Fact]
    public async Task PriorityAndStopAllQueued_ThroughTheCli_ReorderAndClearTheWaitingJobs()
    {
        // Fill every slot, so what comes next waits.
        var slots = (await _http.GetFromJsonAsync<List<NodeView>>("/api/v1/nodes", AtlasJson.Options, Ct))!.Sum(n => n.Slots);
        var blockers = new List<string>();
        for (var i = 0; i < slots; i++)
        {
            blockers.Add(await SubmitAsync(_project.Path, "--", "sleep", "120"));
        }
        foreach (var id in blockers)
        {
            await GatewayJobs.WaitForAsync(_http, id, j => j.State == JobState.Running, JobLimit, Ct);
        }
        var a = await SubmitAsync(_project.Path, "--", "true");
        var b = await SubmitAsync(_project.Path, "--", "true");
        var c = await SubmitAsync(_project.Path, "--", "true");
        (await PlacesAsync()).ShouldBe([a, b, c]);

        var top = await Cli.RunAsync("priority", c, "--top");
        top.ExitCode.ShouldBe(0, top.Stderr);
        (await PlacesAsync()).ShouldBe([c, a, b]);

        var raise = await Cli.RunAsync("priority", b, "10");
        raise.ExitCode.ShouldBe(0, raise.Stderr);
        raise.Stdout.ShouldBe($"{b} priority 10\n");
        (await PlacesAsync()).ShouldBe([b, c, a]);
        (await Cli.RunAsync("status", b)).Stdout.ShouldContain("priority:  10");

        var running = await Cli.RunAsync("priority", blockers[0], "5");
        running.ExitCode.ShouldBe(1);
        running.Stderr.ShouldContain("is running; only a queued job's priority can change");
        var outOfRange = await Cli.RunAsync("priority", a, "101");
        outOfRange.ExitCode.ShouldBe(2);
        outOfRange.Stderr.ShouldContain("priority: '101'");
        var neither = await Cli.RunAsync("priority", a);
        neither.ExitCode.ShouldBe(2);
        (await Cli.RunAsync("stop", "--user", "x")).ExitCode.ShouldBe(2);

        var stop = await Cli.RunAsync("stop", "--all-queued");
        stop.ExitCode.ShouldBe(0, stop.Stderr);
        stop.Stdout.ShouldBe("3 of your waiting jobs cancelled\n");
        foreach (var id in new[] { a, b, c })
        {
            var job = await _http.GetFromJsonAsync<JobView>($"/api/v1/jobs/{id}", AtlasJson.Options, Ct);
            job!.State.ShouldBe(JobState.Cancelled);
            job.Reason.ShouldBe("stopped by user");
        }
        (await _http.GetFromJsonAsync<JobView>($"/api/v1/jobs/{blockers[0]}", AtlasJson.Options, Ct))!.State.ShouldBe(JobState.Running, "running jobs are not waiting ones");

        // Single-user mode: the one user is an admin, so --everyone and --user are allowed.
        var d = await SubmitAsync(_project.Path, "--", "true");
        var everyone = await Cli.RunAsync("stop", "--all-queued", "--everyone");
        everyone.ExitCode.ShouldBe(0, everyone.Stderr);
        everyone.Stdout.ShouldBe("1 of everyone's waiting jobs cancelled\n");
        (await _http.GetFromJsonAsync<JobView>($"/api/v1/jobs/{d}", AtlasJson.Options, Ct))!.State.ShouldBe(JobState.Cancelled);

        foreach (var id in blockers)
        {
            (await Cli.RunAsync("stop", id)).ExitCode.ShouldBe(0);
        }
    }

    private async Task<string> SubmitAsync(params string[] args)
    {
        var submit = await Cli.RunAsync(["submit", .. args]);
        submit.ExitCode.ShouldBe(0, submit.Stderr);
        return submit.Stdout.Trim();
    }

    private async Task<List<string>> PlacesAsync()
    {
        var queue = (await _http.GetFromJsonAsync<QueueView>("/api/v1/queue", AtlasJson.Options, Ct))!;
        return [.. queue.Yours.OrderBy(p => p.Position).Select(p => p.Id)];
    }
}
