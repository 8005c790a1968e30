using Atlas.Core.Jobs;
using Atlas.Testing;
using Atlas.Worker.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atlas.Worker.Tests.Runtime;

/// <summary>Runs real processes through /bin/sh.</summary>
public sealed class ProcessRuntimeTests : IDisposable
{
    private readonly TempFolder _job = new("atlas-process-job");
    private readonly RecordingOutput _output = new();
    private readonly string _jobId = JobId.New(DateTimeOffset.UtcNow);
    private readonly ProcessRuntime _runtime = new(
        Microsoft.Extensions.Options.Options.Create(new ProcessRuntimeOptions
        {
            StopGracePeriod = TimeSpan.FromSeconds(1),
            OutputDrainTimeout = TimeSpan.FromMilliseconds(200),
        }),
        TimeProvider.System,
        NullLogger<ProcessRuntime>.Instance);

    public ProcessRuntimeTests()
    {
        Directory.CreateDirectory(WorkDir);
        Directory.CreateDirectory(OutputDir);
    }

    private string WorkDir => _job.Combine("work");

    private string OutputDir => _job.Combine("artifacts");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_CommandSucceeds_ReturnsZeroAndStdout()
    {
        var exitCode = await _runtime.RunAsync(Launch(["/bin/sh", "-c", "echo one; echo two"]), Token);

        exitCode.ShouldBe(0);
        _output.Text(OutputStream.Stdout).ShouldBe("one\ntwo\n");
        _output.Text(OutputStream.Stderr).ShouldBeEmpty();
    }

    [Fact]
    public async Task RunAsync_CommandFails_ReturnsItsExitCode()
    {
        var exitCode = await _runtime.RunAsync(Launch(["/bin/sh", "-c", "exit 3"]), Token);

        exitCode.ShouldBe(3);
    }

    [Fact]
    public async Task RunAsync_BothStreams_CapturesEachInOrder()
    {
        await _runtime.RunAsync(Launch(["/bin/sh", "-c", "for i in 1 2 3; do echo out$i; echo err$i >&2; done"]), Token);

        _output.Text(OutputStream.Stdout).ShouldBe("out1\nout2\nout3\n");
        _output.Text(OutputStream.Stderr).ShouldBe("err1\nerr2\nerr3\n");
    }

    [Fact]
    public async Task RunAsync_LargeOutputAtExit_LosesNoTail()
    {
        // More than a pipe holds, written just before the process ends.
        await _runtime.RunAsync(Launch(["/bin/sh", "-c", "head -c 300000 /dev/zero | tr '\\0' a; echo; echo end"]), Token);

        var stdout = _output.Text(OutputStream.Stdout);
        stdout.Length.ShouldBe(300000 + "\nend\n".Length);
        stdout.ShouldEndWith("\nend\n");
    }

    [Fact]
    public async Task RunAsync_WorkAndOutputFolders_AreTheJobsFolders()
    {
        await File.WriteAllTextAsync(Path.Combine(WorkDir, "input.txt"), "from the project\n", Token);

        var exitCode = await _runtime.RunAsync(
            Launch(["/bin/sh", "-c", "pwd; cat input.txt > \"$ATLAS_OUTPUT_DIR/copy.txt\""]),
            Token);

        exitCode.ShouldBe(0);
        _output.Text(OutputStream.Stdout).ShouldBe(Path.GetFullPath(WorkDir) + "\n");
        (await File.ReadAllTextAsync(Path.Combine(OutputDir, "copy.txt"), Token)).ShouldBe("from the project\n");
    }

    [Fact]
    public async Task RunAsync_Environment_IsPassedWithOutputDirButNotTheWorkersOwn()
    {
        Environment.SetEnvironmentVariable("ATLAS_TEST_WORKER_SECRET", "s3cret");
        var environment = new Dictionary<string, string> { ["GREETING"] = "hello world", ["ATLAS_JOB_ID"] = _jobId };

        await _runtime.RunAsync(
            Launch(["/bin/sh", "-c", "echo \"$GREETING|$ATLAS_JOB_ID|$ATLAS_OUTPUT_DIR|${ATLAS_TEST_WORKER_SECRET:-unset}\""], environment),
            Token);

        _output.Text(OutputStream.Stdout).ShouldBe($"hello world|{_jobId}|{Path.GetFullPath(OutputDir)}|unset\n");
    }

    [Fact]
    public async Task RunAsync_RelativeProgram_IsFoundInWorkFolder()
    {
        var script = Path.Combine(WorkDir, "run.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho \"ran with $1\"\n", Token);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var exitCode = await _runtime.RunAsync(Launch(["./run.sh", "an argument"]), Token);

        exitCode.ShouldBe(0);
        _output.Text(OutputStream.Stdout).ShouldBe("ran with an argument\n");
    }

    [Fact]
    public async Task RunAsync_StopIgnored_KillsAfterGrace()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var run = _runtime.RunAsync(Launch(["/bin/sh", "-c", "trap '' TERM; echo ready; sleep 600"]), stop.Token);
        await _output.WaitForAsync(OutputStream.Stdout, "ready", Token);
        await stop.CancelAsync();
        var exitCode = await run;

        exitCode.ShouldBe(137); // SIGKILL
    }

    [Fact]
    public async Task RunAsync_StopHandled_JobSeesSigtermAndItsExitCodeIsReturned()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var run = _runtime.RunAsync(
            Launch(["/bin/sh", "-c", "trap 'echo bye; exit 5' TERM; echo ready; while true; do sleep 1; done"]),
            stop.Token);
        await _output.WaitForAsync(OutputStream.Stdout, "ready", Token);
        await stop.CancelAsync();
        var exitCode = await run;

        exitCode.ShouldBe(5);
        _output.Text(OutputStream.Stdout).ShouldBe("ready\nbye\n");
    }

    [Fact]
    public async Task RunAsync_Stop_EndsChildrenToo()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var pidFile = Path.Combine(WorkDir, "child.pid");

        var run = _runtime.RunAsync(
            Launch(["/bin/sh", "-c", "sleep 600 & echo $! > child.pid; echo ready; wait"]),
            stop.Token);
        await _output.WaitForAsync(OutputStream.Stdout, "ready", Token);
        var child = int.Parse(await File.ReadAllTextAsync(pidFile, Token), System.Globalization.CultureInfo.InvariantCulture);
        await stop.CancelAsync();
        await run;

        IsAlive(child).ShouldBeFalse();
    }

    [Fact]
    public async Task RunAsync_BackgroundChildHoldsOutput_ReturnsWhenMainProcessEnds()
    {
        var exitCode = await _runtime.RunAsync(Launch(["/bin/sh", "-c", "sleep 5 & echo done"]), Token);

        exitCode.ShouldBe(0);
        _output.Text(OutputStream.Stdout).ShouldBe("done\n");
    }

    [Fact]
    public async Task RunAsync_ProgramNotFound_ThrowsJobStartException()
    {
        var error = await Should.ThrowAsync<JobStartException>(() => _runtime.RunAsync(Launch(["no-such-program", "--flag"]), Token));

        error.Message.ShouldContain("no-such-program");
    }

    [Fact]
    public async Task RunAsync_RelativeProgramMissing_ThrowsJobStartException()
    {
        var error = await Should.ThrowAsync<JobStartException>(() => _runtime.RunAsync(Launch(["./missing.sh"]), Token));

        error.Message.ShouldContain("missing.sh");
    }

    [Fact]
    public async Task RunAsync_StoppedBeforeStart_ThrowsAndRunsNothing()
    {
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => _runtime.RunAsync(Launch(["/bin/sh", "-c", "echo ran"]), stop.Token));

        _output.Text(OutputStream.Stdout).ShouldBeEmpty();
    }

    public void Dispose() => _job.Dispose();

    private JobLaunch Launch(IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null) =>
        new(_jobId, null, command, environment ?? new Dictionary<string, string>(), WorkDir, OutputDir, _output);

    // A zombie (ended, not yet reaped by its new parent) counts as gone.
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
