using System.Net.Http.Json;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Containers;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using Atlas.Core.Storage;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// The walking skeleton end to end: the AppHost starts Redis, a master, 2 workers (docker
/// runtime) and the gateway as real processes; the real CLI submits a folder; logs are
/// followed live through the gateway from the node running the job, then served from the
/// shared volume once it has ended.
/// </summary>
public sealed class ClusterTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>, IDisposable
{
    private readonly TempFolder _home = new("atlas-home");
    private readonly TempFolder _project = new("atlas-project");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AppHostCluster Cluster => fixture.Cluster;

    private AtlasCli Cli => new(Cluster.GatewayUrl, _home.Path);

    public void Dispose()
    {
        _home.Dispose();
        _project.Dispose();
    }

    [Fact]
    public async Task Submit_Folder_RunsInContainerWithLiveThenStoredLogs()
    {
        File.WriteAllText(_project.Combine("run.sh"), """
            echo "hello $ATLAS_PROJECT"
            test -f secret.txt && echo LEAKED
            test -d .git && echo GIT
            cat data/input.txt
            sleep 3
            echo "to stderr" >&2
            echo saved > "$ATLAS_OUTPUT_DIR/out.txt"
            exit 3
            """);
        Directory.CreateDirectory(_project.Combine("data"));
        File.WriteAllText(_project.Combine("data", "input.txt"), "input from the bundle\n");
        File.WriteAllText(_project.Combine("secret.txt"), "ignored\n");
        File.WriteAllText(_project.Combine(".atlasignore"), "secret.txt\n");
        Directory.CreateDirectory(_project.Combine(".git"));
        File.WriteAllText(_project.Combine(".git", "config"), "[core]\n");

        var submit = await Cli.RunAsync("submit", "--image", ClusterFixture.Image, "--project", "e2e", "--name", "walk", _project.Path, "--", "sh", "run.sh");
        submit.ExitCode.ShouldBe(0, submit.Stderr);
        var id = submit.Stdout.Trim();
        JobId.IsValid(id).ShouldBeTrue(submit.Stdout);

        // Live: the first line arrives while the job still runs, through the job-to-node lookup.
        using var http = new HttpClient { BaseAddress = new Uri(Cluster.GatewayUrl), Timeout = TimeSpan.FromMinutes(2) };
        using var follow = await http.GetAsync($"/api/v1/jobs/{id}/logs?follow=true", HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await follow.Content.ReadAsStreamAsync(Ct));
        (await reader.ReadLineAsync(Ct)).ShouldBe("hello e2e");
        var running = (await http.GetFromJsonAsync<JobView>($"/api/v1/jobs/{id}", AtlasJson.Options, Ct))!;
        running.State.ShouldBe(JobState.Running);
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(Cluster.RedisConnectionString))
        {
            var route = await redis.GetDatabase().StringGetAsync(RedisKeys.Route(id));
            ((string?)route).ShouldNotBeNull().ShouldStartWith("http://127.0.0.1:");
        }
        var rest = await reader.ReadToEndAsync(Ct);
        rest.ShouldBe("input from the bundle\nto stderr\n");

        // Ended: state, exit code, history, and the lookup entry is gone.
        var status = await Cli.RunAsync("status", id, "--output", "json");
        status.ExitCode.ShouldBe(0, status.Stderr);
        var job = JsonSerializer.Deserialize<JobView>(status.Stdout, AtlasJson.Options)!;
        job.State.ShouldBe(JobState.Failed);
        job.ExitCode.ShouldBe(3);
        job.Project.ShouldBe("e2e");
        job.History.Select(h => h.State).ShouldBe([JobState.Queued, JobState.Assigned, JobState.Starting, JobState.Running, JobState.Failed]);
        job.ClaimedAt.ShouldNotBeNull();
        job.StartedAt.ShouldNotBeNull().ShouldBeGreaterThanOrEqualTo(job.ClaimedAt.Value); // the image was looked up and the container created in between
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(Cluster.RedisConnectionString))
        {
            (await redis.GetDatabase().KeyExistsAsync(RedisKeys.Route(id))).ShouldBeFalse();
        }

        // The same URL now serves the whole log from the shared volume.
        var logs = await Cli.RunAsync("logs", id);
        logs.Stdout.ShouldBe("hello e2e\ninput from the bundle\nto stderr\n");
        (await http.GetStringAsync($"/api/v1/jobs/{id}/logs?follow=true", Ct)).ShouldBe(logs.Stdout);
        File.ReadAllText(Path.Combine(Cluster.SharedRoot, "jobs", id, "artifacts", "out.txt")).ShouldBe("saved\n");
        File.Exists(Path.Combine(Cluster.SharedRoot, "jobs", id, "work", "secret.txt")).ShouldBeFalse();

        var human = await Cli.RunAsync("status", id);
        human.Stdout.ShouldContain("failed");
        human.Stdout.ShouldContain("running");
    }

    [Fact]
    public async Task Metrics_ReportedInContainer_ReachTheCliThroughTheGateway()
    {
        File.WriteAllText(_project.Combine("run.sh"), """
            echo '{"metric":"loss","value":0.5,"step":1}' >> "$ATLAS_METRICS_FILE"
            echo '@@atlas {"metric":"loss","value":0.25,"step":2}'
            echo "{\"param\":\"seen\",\"value\":\"$ATLAS_PARAM_LR\"}" >> "$ATLAS_METRICS_FILE"
            echo w > "$ATLAS_OUTPUT_DIR/model.pt"
            echo '{"artifact":"model.pt"}' >> "$ATLAS_METRICS_FILE"
            """);

        var submit = await Cli.RunAsync("submit", "--image", ClusterFixture.Image, "--project", "e2e-metrics", "--param", "lr=0.1", "--wait", _project.Path, "--", "sh", "run.sh");

        submit.ExitCode.ShouldBe(0, submit.Stderr);
        var id = submit.Stdout.Split('\n')[0];
        var metrics = await Cli.RunAsync("metrics", id, "--output", "json");
        metrics.ExitCode.ShouldBe(0, metrics.Stderr);
        JsonSerializer.Deserialize<Atlas.Core.Tracking.MetricsView>(metrics.Stdout, AtlasJson.Options)!.Series.Single().Values.ShouldBe([0.5, 0.25]);
        var ls = await Cli.RunAsync("ls", "--project", "e2e-metrics", "--columns", "loss,lr,seen");
        ls.ExitCode.ShouldBe(0, ls.Stderr);
        ls.Stdout.Split('\n')[1].ShouldEndWith("0.25  0.1  0.1");
        var get = await Cli.RunAsync("artifacts", "get", id, "--to", _home.Combine("dl"));
        get.ExitCode.ShouldBe(0, get.Stderr);
        File.ReadAllText(_home.Combine("dl", "model.pt")).ShouldBe("w\n");
    }

    [Fact]
    public async Task SubmitWait_JobExits_CliExitsWithJobsCode()
    {
        File.WriteAllText(_project.Combine("a.txt"), "a\n");

        var run = await Cli.RunAsync("submit", "--wait", _project.Path, "--", "sh", "-c", "echo waited; exit 7");

        run.ExitCode.ShouldBe(7, run.Stderr);
        run.Stdout.ShouldContain("waited");
    }

    [Fact]
    public async Task StopThenRm_RunningJob_IsCancelledAndRemoved()
    {
        File.WriteAllText(_project.Combine("a.txt"), "a\n");
        var submit = await Cli.RunAsync("submit", _project.Path, "--", "sh", "-c", "echo started; sleep 300");
        var id = submit.Stdout.Trim();
        await WaitForStateAsync(id, JobState.Running);

        var rmEarly = await Cli.RunAsync("rm", id);
        rmEarly.ExitCode.ShouldNotBe(0);
        rmEarly.Stderr.Trim().Split('\n').Length.ShouldBe(1, rmEarly.Stderr);

        var stop = await Cli.RunAsync("stop", id);
        stop.ExitCode.ShouldBe(0, stop.Stderr);
        var job = await WaitForStateAsync(id, JobState.Cancelled);
        job.Reason.ShouldBe("stopped by user");
        // The worker removes the container after recording the outcome: gone within seconds.
        var removedBy = DateTime.UtcNow.AddSeconds(30);
        while ((await TestDocker.ContainersAsync(ContainerLabels.Job, id, Ct)).Count > 0)
        {
            DateTime.UtcNow.ShouldBeLessThan(removedBy, "the stopped job's container is still there");
            await Task.Delay(100, Ct);
        }

        var rm = await Cli.RunAsync("rm", id);
        rm.ExitCode.ShouldBe(0, rm.Stderr);
        Directory.Exists(Path.Combine(Cluster.SharedRoot, "jobs", id)).ShouldBeFalse();
        var gone = await Cli.RunAsync("status", id);
        gone.ExitCode.ShouldBe(1);
        gone.Stderr.ShouldContain("not found");
    }

    [Fact]
    public async Task NodesAndLs_Json_ListWorkersAndJobs()
    {
        File.WriteAllText(_project.Combine("a.txt"), "a\n");
        var id = (await Cli.RunAsync("submit", "--project", "listing", _project.Path, "--", "true")).Stdout.Trim();

        var nodes = await Cli.RunAsync("nodes", "--output", "json");
        var list = JsonSerializer.Deserialize<List<NodeView>>(nodes.Stdout, AtlasJson.Options)!;
        list.Count(n => n.State == NodeState.Ready && n.Runtime == "docker").ShouldBe(2);

        var ls = await Cli.RunAsync("ls", "--output", "json");
        ls.ExitCode.ShouldBe(0, ls.Stderr);
        var jobs = JsonSerializer.Deserialize<List<JobView>>(ls.Stdout, AtlasJson.Options)!;
        jobs.ShouldContain(j => j.Id == id && j.Project == "listing");
        (await Cli.RunAsync("ls")).Stdout.ShouldContain(id);
    }

    [Fact]
    public async Task Submit_MissingImage_FailsWithEnginesReason()
    {
        File.WriteAllText(_project.Combine("a.txt"), "a\n");
        var id = (await Cli.RunAsync("submit", "--image", "atlas-test/does-not-exist:1", _project.Path, "--", "true")).Stdout.Trim();

        var job = await WaitForStateAsync(id, JobState.Failed);

        job.Reason.ShouldNotBeNullOrWhiteSpace();
        job.Reason.ShouldContain("atlas-test/does-not-exist");
        (await Cli.RunAsync("status", id)).Stdout.ShouldContain(job.Reason);
    }

    [Fact]
    public async Task Submit_NoImage_RunsInDefaultImageFromAppHostConfiguration()
    {
        // The fixture sets Atlas:Worker:Docker:DefaultImage in the AppHost's configuration only (not
        // the test process's environment); the worker's own default, python:3.12-slim, is not here.
        File.WriteAllText(_project.Combine("a.txt"), "a\n");
        var submit = await Cli.RunAsync("submit", _project.Path, "--", "cat", "a.txt");
        submit.ExitCode.ShouldBe(0, submit.Stderr);

        var job = await WaitForStateAsync(submit.Stdout.Trim(), JobState.Succeeded);

        job.Reason.ShouldBeNull();
    }

    private async Task<JobView> WaitForStateAsync(string id, JobState state)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Cluster.GatewayUrl) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var job = (await http.GetFromJsonAsync<JobView>($"/api/v1/jobs/{id}", AtlasJson.Options, Ct))!;
            if (job.State == state)
            {
                return job;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Job {id} is {job.State}, not {state}, after 60 s.\n{Cluster.Output}");
            }
            await Task.Delay(100, Ct);
        }
    }
}
