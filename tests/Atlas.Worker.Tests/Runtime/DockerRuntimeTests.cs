using Atlas.Core.Docker;
using Atlas.Core.Jobs;
using Atlas.Testing;
using Atlas.Worker.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atlas.Worker.Tests.Runtime;

/// <summary>Runs real containers from the local busybox image on the real Docker Engine.</summary>
public sealed class DockerRuntimeTests : IDisposable
{
    private const string Image = "atlas-test/busybox:latest";
    private const string Cluster = "atlas-tests";

    private readonly TempFolder _job = new("atlas-docker-job");
    private readonly DockerClient _docker = new(DockerEndpoint.Resolve(null));
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
        var running = await _docker.ListContainersAsync(JobLabel, all: true, Token);
        await stop.CancelAsync();
        var exitCode = await run;

        var container = running.ShouldHaveSingleItem();
        container.State.ShouldBe("running");
        container.Labels[ContainerLabels.Node].ShouldBe("test-node");
        container.Labels[ContainerLabels.Cluster].ShouldBe(Cluster);
        exitCode.ShouldBe(137); // SIGKILL
        (await _docker.ListContainersAsync(JobLabel, all: true, Token)).ShouldBeEmpty();
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
        (await _docker.ListContainersAsync(JobLabel, all: true, Token)).ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_Finished_ContainerIsRemoved()
    {
        await RequireEngineAsync();

        await _runtime.RunAsync(Launch(["true"]), Token);

        (await _docker.ListContainersAsync(JobLabel, all: true, Token)).ShouldBeEmpty();
        (await _docker.InspectContainerAsync($"atlas-{_jobId}", Token)).ShouldBeNull();
    }

    [Fact]
    public async Task RunAsync_MissingImageFailedPull_ThrowsWithEngineReason()
    {
        await RequireEngineAsync();
        const string missing = "atlas-test/does-not-exist:never";
        // What the engine says when asked directly is what the user must see.
        var engineReason = (await Should.ThrowAsync<DockerException>(() => _docker.PullImageAsync(missing, Token))).Message;

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
        (await _docker.ListContainersAsync(JobLabel, all: true, Token)).ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_LeftoverContainerOfSameJob_IsReplaced()
    {
        await RequireEngineAsync();
        var leftover = await _docker.CreateContainerAsync(new ContainerSpec(Image, ["true"]) { Name = $"atlas-{_jobId}", NetworkMode = "none" }, Token);

        var exitCode = await _runtime.RunAsync(Launch(["sh", "-c", "echo again"]), Token);

        exitCode.ShouldBe(0);
        _output.Text(OutputStream.Stdout).ShouldBe("again\n");
        (await _docker.InspectContainerAsync(leftover, Token)).ShouldBeNull();
    }

    [Fact]
    public async Task RemoveLeftoversAsync_ContainersOfThisNode_RemovedOthersKept()
    {
        await RequireEngineAsync();
        var ours = await _docker.CreateContainerAsync(new ContainerSpec(Image, ["sleep", "300"])
        {
            Labels = new Dictionary<string, string> { [ContainerLabels.Node] = "test-node", [ContainerLabels.Cluster] = Cluster, [ContainerLabels.Job] = _jobId },
            NetworkMode = "none",
        }, Token);
        await _docker.StartContainerAsync(ours, Token);
        var otherNode = await _docker.CreateContainerAsync(new ContainerSpec(Image, ["true"])
        {
            Labels = new Dictionary<string, string> { [ContainerLabels.Node] = "other-node", [ContainerLabels.Cluster] = Cluster },
            NetworkMode = "none",
        }, Token);
        try
        {
            await _runtime.RemoveLeftoversAsync([], Token);

            (await _docker.InspectContainerAsync(ours, Token)).ShouldBeNull();
            (await _docker.InspectContainerAsync(otherNode, Token)).ShouldNotBeNull();
        }
        finally
        {
            await _docker.RemoveContainerAsync(otherNode, force: true, Token);
        }
    }

    [Fact]
    public async Task RunAsync_StoppedBeforeStart_ThrowsAndLeavesNothing()
    {
        await RequireEngineAsync();
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => _runtime.RunAsync(Launch(["true"]), stop.Token));

        (await _docker.ListContainersAsync(JobLabel, all: true, Token)).ShouldBeEmpty();
    }

    public void Dispose()
    {
        _runtime.Dispose();
        _docker.Dispose();
        _job.Dispose();
    }

    private Dictionary<string, string> JobLabel => new() { [ContainerLabels.Job] = _jobId };

    private JobLaunch Launch(IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null, string? image = null) =>
        new(_jobId, image, command, environment ?? new Dictionary<string, string>(), WorkDir, OutputDir, _output);

    private async Task RequireEngineAsync()
    {
        if (!await _docker.PingAsync(Token))
        {
            throw TestEnvironment.Missing("Docker Engine");
        }
        if (!await _docker.ImageExistsAsync(Image, Token))
        {
            throw TestEnvironment.Missing($"Docker image {Image}");
        }
    }
}
