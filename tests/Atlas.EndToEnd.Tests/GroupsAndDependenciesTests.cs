using System.Net.Http.Json;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Testing;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// Sweeps, arrays and dependencies on a whole cluster: the AppHost with 2 workers (2 slots each)
/// on the process runtime, driven by the real CLI; jobs are shell commands that print what they were given.
/// </summary>
public sealed class GroupsAndDependenciesTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TempFolder _home = new("atlas-home");
    private readonly TempFolder _project = new("atlas-project");
    private AppHostCluster _cluster = null!;
    private HttpClient _gateway = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AtlasCli Cli => new(_cluster.GatewayUrl, _home.Path);

    public async ValueTask InitializeAsync()
    {
        File.WriteAllText(_project.Combine("data.txt"), "shared input");
        _cluster = await AppHostCluster.StartAsync(workers: 2, ["--runtime", "process"], cancellationToken: Ct);
        _gateway = new HttpClient { BaseAddress = new Uri(_cluster.GatewayUrl) };
    }

    public async ValueTask DisposeAsync()
    {
        _gateway.Dispose();
        await _cluster.DisposeAsync();
        _home.Dispose();
        _project.Dispose();
    }

    [Fact]
    public async Task Groups_SweepSubstitutesAndRecordsParams_ArrayHonoursItsLimit_GroupCommandsWork()
    {
        // A sweep: 4 jobs, each echoing its substituted arguments and its ATLAS_PARAM_* variables.
        var sweep = await Cli.RunAsync("submit", "--sweep", "lr=0.1,0.01", "--sweep", "bs=32,64", _project.Path, "--",
            "/bin/sh", "-c", "echo lr={lr} bs={bs} env=$ATLAS_PARAM_LR/$ATLAS_PARAM_BS; cat data.txt");
        sweep.ExitCode.ShouldBe(0, sweep.Stderr);
        var sweepId = sweep.Stdout.Trim();
        GroupId.IsValid(sweepId).ShouldBeTrue(sweep.Stdout);

        // An array of 6 one-second jobs, at most 2 at a time on 4 free slots.
        var array = await Cli.RunAsync("submit", "--array", "0-5%2", _project.Path, "--", "/bin/sh", "-c", "echo index=$ATLAS_ARRAY_INDEX/{index}; sleep 1");
        array.ExitCode.ShouldBe(0, array.Stderr);
        var arrayId = array.Stdout.Trim();

        var sweepJobs = await WaitGroupAsync(sweepId, 4);
        var seen = new List<string>();
        foreach (var job in sweepJobs)
        {
            job.State.ShouldBe(JobState.Succeeded, _cluster.Output);
            var logs = await Cli.RunAsync("logs", job.Id);
            logs.Stdout.ShouldContain($"lr={job.Params["lr"]} bs={job.Params["bs"]} env={job.Params["lr"]}/{job.Params["bs"]}");
            logs.Stdout.ShouldContain("shared input");
            seen.Add($"{job.Params["lr"]}/{job.Params["bs"]}");
        }
        seen.Order().ShouldBe(new[] { "0.1/32", "0.1/64", "0.01/32", "0.01/64" }.Order());

        var arrayJobs = await WaitGroupAsync(arrayId, 6);
        for (var i = 0; i < 6; i++)
        {
            arrayJobs[i].State.ShouldBe(JobState.Succeeded, _cluster.Output);
            (await Cli.RunAsync("logs", arrayJobs[i].Id)).Stdout.ShouldContain($"index={i}/{i}");
        }
        MostAtOnce(arrayJobs).ShouldBeLessThanOrEqualTo(2);

        var status = await Cli.RunAsync("status", arrayId);
        status.ExitCode.ShouldBe(0, status.Stderr);
        status.Stdout.ShouldContain("max running: 2");
        status.Stdout.ShouldMatch(@"(?m)^succeeded\s+6\s*$");

        // Stop a group of long jobs: every one of them ends cancelled.
        var slow = await Cli.RunAsync("submit", "--array", "0-4", _project.Path, "--", "/bin/sh", "-c", "sleep 60");
        var slowId = slow.Stdout.Trim();
        var stop = await Cli.RunAsync("stop", "--group", slowId);
        stop.ExitCode.ShouldBe(0, stop.Stderr);
        (await WaitGroupAsync(slowId, 5)).ShouldAllBe(j => j.State == JobState.Cancelled);
        var ls = await Cli.RunAsync("--output", "json", "ls", "--group", slowId);
        JsonSerializer.Deserialize<List<JobView>>(ls.Stdout, AtlasJson.Options)!.Count.ShouldBe(5);
    }

    [Fact]
    public async Task Dependencies_ChainInOrder_FailureCancelsInCascadeWithReasons_AfterAnyRuns_BadIdsRefused()
    {
        var first = await SubmitAsync([], "sleep 1; echo first");
        var second = await SubmitAsync(["--after", first], "echo second");
        var failing = await SubmitAsync([], "sleep 1; exit 3");
        var cancelled = await SubmitAsync(["--after", failing], "echo never");
        var cascaded = await SubmitAsync(["--after", cancelled], "echo never");
        var anyway = await SubmitAsync(["--after-any", failing], "echo anyway");

        var a = await GatewayJobs.WaitEndedAsync(_gateway, first, Patience, Ct);
        var b = await GatewayJobs.WaitEndedAsync(_gateway, second, Patience, Ct);
        b.State.ShouldBe(JobState.Succeeded, _cluster.Output);
        b.StartedAt!.Value.ShouldBeGreaterThanOrEqualTo(a.FinishedAt!.Value);

        (await GatewayJobs.WaitEndedAsync(_gateway, failing, Patience, Ct)).State.ShouldBe(JobState.Failed);
        var c = await GatewayJobs.WaitEndedAsync(_gateway, cancelled, Patience, Ct);
        c.State.ShouldBe(JobState.Cancelled);
        c.Reason.ShouldBe($"dependency {failing} failed");
        c.StartedAt.ShouldBeNull();
        var d = await GatewayJobs.WaitEndedAsync(_gateway, cascaded, Patience, Ct);
        d.State.ShouldBe(JobState.Cancelled);
        d.Reason.ShouldBe($"dependency {cancelled} was cancelled");
        (await GatewayJobs.WaitEndedAsync(_gateway, anyway, Patience, Ct)).State.ShouldBe(JobState.Succeeded);

        // Already ended at submit: resolved at once.
        var late = await SubmitAsync(["--after", first], "echo late");
        (await GatewayJobs.WaitEndedAsync(_gateway, late, Patience, Ct)).State.ShouldBe(JobState.Succeeded);
        var doomed = await SubmitAsync(["--after", failing], "echo never");
        (await GatewayJobs.WaitEndedAsync(_gateway, doomed, Patience, Ct)).Reason.ShouldBe($"dependency {failing} failed");

        // A group after a job: each of its jobs waits for it.
        var gate = await SubmitAsync([], "sleep 1");
        var group = await Cli.RunAsync("submit", "--array", "0-1", "--after", gate, _project.Path, "--", "/bin/sh", "-c", "echo {index}");
        group.ExitCode.ShouldBe(0, group.Stderr);
        var gated = await WaitGroupAsync(group.Stdout.Trim(), 2);
        var g = await GatewayJobs.WaitEndedAsync(_gateway, gate, Patience, Ct);
        gated.ShouldAllBe(j => j.State == JobState.Succeeded && j.StartedAt >= g.FinishedAt);

        var unknown = JobId.New(DateTimeOffset.UtcNow);
        var refused = await Cli.RunAsync("submit", "--after", unknown, _project.Path, "--", "true");
        refused.ExitCode.ShouldBe(1);
        refused.Stderr.ShouldContain($"after: There is no job '{unknown}' of yours");
    }

    private async Task<string> SubmitAsync(string[] flags, string script)
    {
        var result = await Cli.RunAsync([.. new[] { "submit" }, .. flags, _project.Path, "--", "/bin/sh", "-c", script]);
        result.ExitCode.ShouldBe(0, result.Stderr);
        return result.Stdout.Trim();
    }

    // Polls the group until all of its jobs have ended; its jobs in order.
    private async Task<List<JobView>> WaitGroupAsync(string id, int total)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var summary = (await _gateway.GetFromJsonAsync<GroupView>($"/api/v1/groups/{id}", AtlasJson.Options, Ct))!;
            var ended = summary.Counts.Where(c => c.Key is "succeeded" or "failed" or "cancelled").Sum(c => c.Value);
            if (ended == total || DateTime.UtcNow > deadline)
            {
                summary.Total.ShouldBe(total);
                ended.ShouldBe(total, _cluster.Output);
                return (await _gateway.GetFromJsonAsync<List<JobView>>($"/api/v1/groups/{id}/jobs", AtlasJson.Options, Ct))!;
            }
            await Task.Delay(200, Ct);
        }
    }

    // The most jobs whose runs overlapped (started, then finished), from their recorded times.
    private static int MostAtOnce(IEnumerable<JobView> jobs)
    {
        var events = jobs.SelectMany(j => new[] { (At: j.StartedAt!.Value, Delta: 1), (At: j.FinishedAt!.Value, Delta: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Delta).ToList();
        int running = 0, most = 0;
        foreach (var e in events)
        {
            running += e.Delta;
            most = Math.Max(most, running);
        }
        return most;
    }
}
