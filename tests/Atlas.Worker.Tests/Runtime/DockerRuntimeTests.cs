using System.Diagnostics;
using Atlas.Core;
using Atlas.Core.Containers;
using Atlas.Core.Jobs;
using Atlas.Testing;
using Atlas.Worker.Runtime;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atlas.Worker.Tests.Runtime;

/// <summary>Runs real containers from the local busybox image on the real Docker Engine.</summary>
public sealed class DockerRuntimeTests : IDisposable
{
    private const string Image = "atlas-test/busybox:latest";
    private const string Cluster = "atlas-tests";

    private readonly TempFolder _job = new("atlas-docker-job");
    private readonly DockerClient _docker = DockerEngine.Connect(null);
    private readonly DockerRuntime _runtime;
    private readonly RecordingOutput _output = new();
    private readonly string _jobId = JobId.New(DateTimeOffset.UtcNow);

    public DockerRuntimeTests()
    {
        Directory.CreateDirectory(WorkDir);
        Directory.CreateDirectory(OutputDir);
        _runtime = new DockerRuntime(
            Microsoft.Extensions.Options.Options.Create(new DockerRuntimeOptions
            {
                DefaultImage = Image,
                Network = "none",
                StopGracePeriod = TimeSpan.FromSeconds(1),
                NodeName = "test-node",
                Cluster = Cluster,
            }),
            NullLogger<DockerRuntime>.Instance);
    }

    private string WorkDir => _job.Combine("work");

    private string OutputDir => _job.Combine("artifacts");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_CommandSucceeds_ReturnsZeroAndStdout()
    {
        await RequireEngineAsync();

        var exitCode = await _runtime.RunAsync(Launch(["sh", "-c", "echo one; echo two"]), Token);

        exitCode.ShouldBe(0);
        _output.Text(OutputStream.Stdout).ShouldBe("one\ntwo\n");
        _output.Text(OutputStream.Stderr).ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_BurstOfOutputThenExit_DeliversEveryByte()
    {
        await RequireEngineAsync();

        // The engine's follow stream sometimes ends before its last chunk of a container that
        // exits at once; several runs make that race likely to show.
        for (var run = 0; run < 5; run++)
        {
            var output = new RecordingOutput();
            var launch = Launch(["sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a; head -c 3000 /dev/zero | tr '\\0' b >&2"]) with { Output = output };

            (await _runtime.RunAsync(launch, Token)).ShouldBe(0);

            output.Text(OutputStream.Stdout).Length.ShouldBe(100000, $"run {run}");
            output.Text(OutputStream.Stderr).Length.ShouldBe(3000, $"run {run}");
        }
    }

    [Fact]
    public async Task RunAsync_CommandFails_ReturnsItsExitCode()
    {
        await RequireEngineAsync();

        var exitCode = await _runtime.RunAsync(Launch(["sh", "-c", "exit 3"]), Token);

        exitCode.ShouldBe(3);
    }

    [Fact]
    public async Task RunAsync_BothStreams_CapturesEachInOrder()
    {
        await RequireEngineAsync();

        await _runtime.RunAsync(Launch(["sh", "-c", "for i in 1 2 3; do echo out$i; echo err$i >&2; done"]), Token);

        _output.Text(OutputStream.Stdout).ShouldBe("out1\nout2\nout3\n");
        _output.Text(OutputStream.Stderr).ShouldBe("err1\nerr2\nerr3\n");
    }

    [Fact]
    public async Task RunAsync_WorkAndOutputFolders_AreMountedForTheJob()
    {
        await RequireEngineAsync();
        await File.WriteAllTextAsync(Path.Combine(WorkDir, "input.txt"), "from the project\n", Token);

        var exitCode = await _runtime.RunAsync(
            Launch(["sh", "-c", "pwd; cat input.txt > \"$ATLAS_OUTPUT_DIR/copy.txt\""]),
            Token);

        exitCode.ShouldBe(0);
        _output.Text(OutputStream.Stdout).ShouldBe("/atlas/work\n");
        (await File.ReadAllTextAsync(Path.Combine(OutputDir, "copy.txt"), Token)).ShouldBe("from the project\n");
    }

    [Fact]
    public async Task RunAsync_Environment_IsPassedWithOutputDir()
    {
        await RequireEngineAsync();
        var environment = new Dictionary<string, string> { ["GREETING"] = "hello world", ["ATLAS_JOB_ID"] = _jobId };

        await _runtime.RunAsync(Launch(["sh", "-c", "echo \"$GREETING|$ATLAS_JOB_ID|$ATLAS_OUTPUT_DIR\""], environment), Token);

        _output.Text(OutputStream.Stdout).ShouldBe($"hello world|{_jobId}|/atlas/outputs\n");
    }

    [Fact]
    public async Task RunAsync_Container_IsHardened()
    {
        await RequireEngineAsync();

        await _runtime.RunAsync(Launch(["sh", "-c", "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max"]), Token);

        var lines = _output.Text(OutputStream.Stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldContain(line => line.StartsWith("CapEff:", StringComparison.Ordinal) && line.EndsWith("0000000000000000", StringComparison.Ordinal));
        lines.ShouldContain(line => line.StartsWith("NoNewPrivs:", StringComparison.Ordinal) && line.EndsWith('1'));
        lines.ShouldContain("1024");
    }

    [Fact]
    public async Task RunAsync_StopIgnored_KillsAfterGraceAndRemovesContainer()
    {
        await RequireEngineAsync();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var run = _runtime.RunAsync(Launch(["sh", "-c", "trap '' TERM; echo ready; sleep 600"]), stop.Token);
        await _output.WaitForAsync(OutputStream.Stdout, "ready", Token);
        var running = await ListJobContainersAsync();
        await stop.CancelAsync();
        var exitCode = await run;

        var container = running.ShouldHaveSingleItem();
        container.State.ShouldBe("running");
        container.Labels[ContainerLabels.Node].ShouldBe("test-node");
        container.Labels[ContainerLabels.Cluster].ShouldBe(Cluster);
        exitCode.ShouldBe(137); // SIGKILL
        (await ListJobContainersAfterRemovalAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_StopHandled_JobSeesSigtermAndItsExitCodeIsReturned()
    {
        await RequireEngineAsync();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var run = _runtime.RunAsync(
            Launch(["sh", "-c", "trap 'echo bye; exit 5' TERM; echo ready; while true; do sleep 1; done"]),
            stop.Token);
        await _output.WaitForAsync(OutputStream.Stdout, "ready", Token);
        await stop.CancelAsync();
        var exitCode = await run;

        exitCode.ShouldBe(5);
        _output.Text(OutputStream.Stdout).ShouldBe("ready\nbye\n");
        (await ListJobContainersAfterRemovalAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_Finished_ContainerIsRemoved()
    {
        await RequireEngineAsync();

        await _runtime.RunAsync(Launch(["true"]), Token);

        (await ListJobContainersAfterRemovalAsync()).ShouldBeEmpty();
        (await ExistsAsync($"atlas-{_jobId}")).ShouldBeFalse();
    }

    [Fact]
    public async Task RunAsync_AnyJob_RecordsPullSpanWithJobAttributes()
    {
        await RequireEngineAsync();
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AtlasTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (spans) { spans.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);
        var environment = new Dictionary<string, string> { ["ATLAS_ATTEMPT"] = "2", ["ATLAS_NODE"] = "test-node", ["ATLAS_FENCE"] = "7" };

        await _runtime.RunAsync(Launch(["true"], environment), Token);

        Activity pull;
        lock (spans)
        {
            pull = spans.Where(span => span.OperationName == "job.pull" && (string?)span.GetTagItem("atlas.job.id") == _jobId).ShouldHaveSingleItem();
        }
        pull.GetTagItem("atlas.job.attempt").ShouldBe("2");
        pull.GetTagItem("atlas.node").ShouldBe("test-node");
        pull.GetTagItem("atlas.job.fence").ShouldBe("7");
        pull.GetTagItem("atlas.image").ShouldBe(Image);
    }

    [Fact]
    public async Task RunAsync_MissingImageFailedPull_ThrowsWithEngineReason()
    {
        await RequireEngineAsync();
        const string missing = "atlas-test/does-not-exist:never";
        // What the engine says when asked directly is what the user must see.
        // (The engine here refuses with a status; one reaching a registry reports inside the stream.)
        var errors = new PullErrors();
        string? engineReason;
        try
        {
            await _docker.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = "atlas-test/does-not-exist", Tag = "never" }, null, errors, Token);
            engineReason = errors.First;
        }
        catch (DockerApiException e)
        {
            engineReason = DockerEngine.Reason(e);
        }
        engineReason.ShouldNotBeNullOrWhiteSpace();

        var error = await Should.ThrowAsync<JobStartException>(() => _runtime.RunAsync(Launch(["true"], image: missing), Token));

        error.Message.ShouldContain(missing);
        error.Message.ShouldContain(engineReason);
    }

    [Fact]
    public async Task RunAsync_CommandNotFound_ThrowsWithEngineReasonAndRemovesContainer()
    {
        await RequireEngineAsync();

        var error = await Should.ThrowAsync<JobStartException>(() => _runtime.RunAsync(Launch(["no-such-program", "--flag"]), Token));

        error.Message.ShouldContain("no-such-program");
        error.Message.ShouldContain("exec");
        (await ListJobContainersAfterRemovalAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_LeftoverContainerOfSameJob_IsReplaced()
    {
        await RequireEngineAsync();
        var leftover = (await _docker.Containers.CreateContainerAsync(new CreateContainerParameters { Image = Image, Cmd = ["true"], Name = $"atlas-{_jobId}", HostConfig = new HostConfig { NetworkMode = "none" } }, Token)).ID;

        var exitCode = await _runtime.RunAsync(Launch(["sh", "-c", "echo again"]), Token);

        exitCode.ShouldBe(0);
        _output.Text(OutputStream.Stdout).ShouldBe("again\n");
        (await ExistsAsync(leftover)).ShouldBeFalse();
    }

    [Fact]
    public async Task RemoveLeftoversAsync_ContainersOfThisNode_RemovedOthersKept()
    {
        await RequireEngineAsync();
        var ours = (await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = Image,
            Cmd = ["sleep", "300"],
            Labels = new Dictionary<string, string> { [ContainerLabels.Node] = "test-node", [ContainerLabels.Cluster] = Cluster, [ContainerLabels.Job] = _jobId },
            HostConfig = new HostConfig { NetworkMode = "none" },
        }, Token)).ID;
        await _docker.Containers.StartContainerAsync(ours, new ContainerStartParameters(), Token);
        var otherNode = (await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = Image,
            Cmd = ["true"],
            Labels = new Dictionary<string, string> { [ContainerLabels.Node] = "other-node", [ContainerLabels.Cluster] = Cluster },
            HostConfig = new HostConfig { NetworkMode = "none" },
        }, Token)).ID;
        try
        {
            await _runtime.RemoveLeftoversAsync([], Token);

            (await ExistsAsync(ours)).ShouldBeFalse();
            (await ExistsAsync(otherNode)).ShouldBeTrue();
        }
        finally
        {
            await _docker.Containers.RemoveContainerAsync(otherNode, new ContainerRemoveParameters { Force = true }, Token);
        }
    }

    [Fact]
    public async Task RunAsync_StoppedBeforeStart_ThrowsAndLeavesNothing()
    {
        await RequireEngineAsync();
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => _runtime.RunAsync(Launch(["true"]), stop.Token));

        (await ListJobContainersAsync()).ShouldBeEmpty();
    }

    public void Dispose()
    {
        _runtime.Dispose();
        _docker.Dispose();
        _job.Dispose();
    }

    // The runtime removes a container after returning the exit code: wait (bounded) for the
    // job's containers to be gone, and list them then.
    private async Task<IList<ContainerListResponse>> ListJobContainersAsync()
    {
        var filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Job}={_jobId}"] = true } };
        return await _docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filters }, Token);
    }

    private async Task<IList<ContainerListResponse>> ListJobContainersAfterRemovalAsync()
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Token);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var listed = await ListJobContainersAsync();
            if (listed.Count == 0 || bound.IsCancellationRequested)
            {
                return listed;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        }
    }

    private async Task<bool> ExistsAsync(string id)
    {
        try
        {
            await _docker.Containers.InspectContainerAsync(id, Token);
            return true;
        }
        catch (DockerContainerNotFoundException)
        {
            return false;
        }
    }

    private JobLaunch Launch(IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null, string? image = null) =>
        new(_jobId, image, command, environment ?? new Dictionary<string, string>(), WorkDir, OutputDir, _output);

    private async Task RequireEngineAsync()
    {
        try
        {
            await _docker.System.PingAsync(Token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or DockerApiException)
        {
            throw TestEnvironment.Missing("Docker Engine");
        }
        try
        {
            await _docker.Images.InspectImageAsync(Image, Token);
        }
        catch (DockerImageNotFoundException)
        {
            throw TestEnvironment.Missing($"Docker image {Image}");
        }
    }
}
