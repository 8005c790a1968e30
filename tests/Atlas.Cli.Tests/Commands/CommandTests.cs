using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Net;
using Atlas.Testing;

namespace Atlas.Cli.Tests.Commands;

/// <summary>The real root command, parsed and invoked in-process, against a stand-in gateway on loopback.</summary>
public sealed class CommandTests : IAsyncLifetime
{
    private readonly TempFolder _home = new("atlas-home");
    private readonly TempFolder _project = new("atlas-project");
    private StandInGateway _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _gateway = await StandInGateway.StartAsync();
        File.WriteAllText(_project.Combine("train.py"), "print(1)");
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _home.Dispose();
        _project.Dispose();
    }

    [Fact]
    public async Task Submit_Folder_PrintsOnlyTheIdAndUploadsSpecAndBundle()
    {
        var (code, stdout, stderr) = await RunAsync("submit", "--image", "python:3.12", "--env", "LR=0.1", "--priority", "5", _project.Path, "--", "python", "train.py", "--epochs", "3");

        code.ShouldBe(0, stderr);
        stdout.ShouldBe(StandInGateway.KnownId + "\n");
        var spec = _gateway.SubmittedSpec.ShouldNotBeNull();
        spec.Command.ShouldBe(["python", "train.py", "--epochs", "3"]);
        spec.Image.ShouldBe("python:3.12");
        spec.Env["LR"].ShouldBe("0.1");
        spec.Priority.ShouldBe(5);
        spec.Project.ShouldBe(new DirectoryInfo(_project.Path).Name);
        _gateway.SubmittedFiles.ShouldBe(["train.py"]);
        _gateway.IdempotencyKeys.ShouldHaveSingleItem().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Submit_AnswerLost_SendsTheSameSubmitAgainUnderTheSameKey()
    {
        _gateway.FailSubmits = 1;

        var (code, stdout, stderr) = await RunAsync("submit", _project.Path, "--", "python", "train.py");

        code.ShouldBe(0, stderr);
        stdout.ShouldBe(StandInGateway.KnownId + "\n");
        _gateway.IdempotencyKeys.Count.ShouldBe(2);
        _gateway.IdempotencyKeys.Distinct().ShouldHaveSingleItem().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Submit_TwoSubmits_TwoKeys()
    {
        (await RunAsync("submit", _project.Path, "--", "true")).Code.ShouldBe(0);
        (await RunAsync("submit", _project.Path, "--", "true")).Code.ShouldBe(0);

        _gateway.IdempotencyKeys.Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public async Task Submit_StderrNotATerminal_DrawsNoProgress()
    {
        var (code, stdout, stderr) = await RunAsync("submit", _project.Path, "--", "true");

        code.ShouldBe(0, stderr);
        stdout.ShouldBe(StandInGateway.KnownId + "\n");
        stderr.ShouldBeEmpty();
    }

    [Fact]
    public async Task Submit_StderrIsTerminal_ProgressOnStderrAndStdoutOnlyTheId()
    {
        var (code, stdout, stderr) = await RunWithAsync(_gateway.Url, c => c with { ErrorIsTerminal = true }, "submit", _project.Path, "--", "true");

        code.ShouldBe(0, stderr);
        stdout.ShouldBe(StandInGateway.KnownId + "\n");
        stderr.ShouldContain("uploading 1 files");
        stderr.ShouldContain("100%");
    }

    [Fact]
    public async Task SubmitWait_JobFails_PrintsLogsAndExitsWithItsCode()
    {
        var (code, stdout, _) = await RunAsync("submit", "--wait", _project.Path, "--", "sh", "-c", "exit 7");

        code.ShouldBe(7);
        stdout.ShouldBe($"{StandInGateway.KnownId}\nline 1\nline 2\n");
    }

    [Theory]
    [InlineData("NOEQUALS")]
    [InlineData("1BAD=x")]
    [InlineData("=x")]
    public async Task Submit_BadEnv_ErrorNamesOptionAndUploadsNothing(string env)
    {
        var (code, _, stderr) = await RunAsync("submit", "--env", env, _project.Path, "--", "true");

        code.ShouldBe(2);
        stderr.ShouldStartWith("error: --env:");
        _gateway.SubmittedSpec.ShouldBeNull();
    }

    [Fact]
    public async Task Submit_NoCommandOrMissingFolder_ClearErrors()
    {
        var noCommand = await RunAsync("submit", _project.Path);
        noCommand.Code.ShouldBe(2);
        noCommand.Stderr.ShouldContain("after --");

        var noFolder = await RunAsync("submit", _project.Combine("nope"), "--", "true");
        noFolder.Code.ShouldBe(2);
        noFolder.Stderr.ShouldStartWith("error: dir:");
        _gateway.SubmittedSpec.ShouldBeNull();
    }

    [Fact]
    public async Task Ls_Json_IsPlainJsonList()
    {
        var (code, stdout, _) = await RunAsync("ls", "--output", "json");

        code.ShouldBe(0);
        var jobs = JsonSerializer.Deserialize<List<JobView>>(stdout, AtlasJson.Options)!;
        jobs.Single().Id.ShouldBe(StandInGateway.KnownId);
        using var doc = JsonDocument.Parse(stdout);
        doc.RootElement[0].GetProperty("state").GetString().ShouldBe("failed");
    }

    [Fact]
    public async Task Queue_Table_CountsAllAndPlacesYours()
    {
        var (code, stdout, _) = await RunAsync("queue");

        code.ShouldBe(0);
        stdout.ShouldContain("queued: 3 (yours: 1)");
        stdout.ShouldContain(StandInGateway.KnownId);
        using var doc = JsonDocument.Parse((await RunAsync("queue", "--output", "json")).Stdout);
        doc.RootElement.GetProperty("yours")[0].GetProperty("position").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task Queue_Table_ShowsWhyEachWaitsAndYourLimits()
    {
        var (code, stdout, _) = await RunAsync("queue");

        code.ShouldBe(0);
        stdout.ShouldContain("policy: fair; your running jobs: 3 of 8; your GPUs: 2 (no limit)");
        stdout.ShouldContain("needs 4 GPUs; the largest free is 2 on worker-3");
    }

    [Fact]
    public async Task Submit_GpusCpusMemory_GoInTheSpecsResources()
    {
        var (code, _, stderr) = await RunAsync("submit", "--gpus", "2", "--cpus", "1.5", "--memory", "8g", _project.Path, "--", "python", "train.py");

        code.ShouldBe(0, stderr);
        _gateway.SubmittedSpec.ShouldNotBeNull().Resources.ShouldBe(new JobResources { Gpus = 2, Cpus = 1.5, MemoryBytes = 8L << 30 });
    }

    [Theory]
    [InlineData("--memory", "8x", "error: --memory:")]
    [InlineData("--gpus", "-1", "error: --gpus:")]
    [InlineData("--cpus", "0", "error: --cpus:")]
    public async Task Submit_BadResource_ErrorNamesTheFlagAndUploadsNothing(string flag, string value, string message)
    {
        var (code, _, stderr) = await RunAsync("submit", flag, value, _project.Path, "--", "true");

        code.ShouldBe(2);
        stderr.ShouldStartWith(message);
        _gateway.SubmittedSpec.ShouldBeNull();
    }

    [Fact]
    public async Task LsAndNodesAndStatus_Table_ShowTheColumns()
    {
        var ls = (await RunAsync("ls")).Stdout;
        ls.ShouldContain("ID  ");
        ls.ShouldContain("USER");
        ls.ShouldContain(StandInGateway.KnownId);
        ls.ShouldContain("alice");
        (await RunAsync("nodes")).Stdout.ShouldContain("worker-1");
        var status = await RunAsync("status", StandInGateway.KnownId);
        status.Stdout.ShouldContain("exited with code 7");
        status.Stdout.ShouldContain("user:      alice");
        status.Stdout.ShouldContain("queued");
    }

    [Fact]
    public async Task Nodes_Table_CapacityInUseAndLimits()
    {
        var (code, stdout, _) = await RunAsync("nodes");

        code.ShouldBe(0);
        var line = stdout.Split('\n').Single(l => l.StartsWith("gpu-1", StringComparison.Ordinal) && l.Contains("ready", StringComparison.Ordinal));
        line.ShouldContain("1/4");           // slots running/total
        line.ShouldContain("1/2 [0,1*]");    // GPUs in use/total, the ids, in use starred
        line.ShouldContain("2.5/16");        // CPU cores asked for/total
        line.ShouldContain("8g/64g");        // memory
        line.ShouldContain("none");
        stdout.ShouldContain("gpu-1 GPUs: 0 NVIDIA H100 80GB HBM3 (81559 MiB); 1 NVIDIA H100 80GB HBM3 (81559 MiB)");
        stdout.ShouldContain("gpu-1 limits none: no cgroup v2 mount");
        stdout.Split('\n').Single(l => l.StartsWith("worker-1", StringComparison.Ordinal)).ShouldContain("0/2");
    }

    [Fact]
    public async Task Submit_TimeLimit_SentInSeconds()
    {
        var (code, _, stderr) = await RunAsync("submit", "--time-limit", "1h30m", _project.Path, "--", "python", "train.py");

        code.ShouldBe(0, stderr);
        _gateway.SubmittedSpec.ShouldNotBeNull().TimeLimitSeconds.ShouldBe(5400);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("0s")]
    [InlineData("-5")]
    public async Task Submit_BadTimeLimit_ErrorNamesTheFlagAndUploadsNothing(string value)
    {
        var (code, _, stderr) = await RunAsync("submit", "--time-limit", value, _project.Path, "--", "true");

        code.ShouldBe(2);
        stderr.ShouldStartWith("error: --time-limit:");
        _gateway.SubmittedSpec.ShouldBeNull();
    }

    [Fact]
    public async Task Ls_StdoutNotATerminal_PlainHeaderThenOneLinePerJob()
    {
        var (code, stdout, _) = await RunAsync("ls");

        code.ShouldBe(0);
        stdout.ShouldNotContain("\u001b");
        var lines = stdout.TrimEnd('\n').Split('\n');
        lines.Length.ShouldBe(2);
        lines.ShouldAllBe(l => l == l.TrimEnd());
        lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["ID", "NAME", "PROJECT", "USER", "STATE", "NODE", "SUBMITTED", "DURATION", "EXIT"]);
        lines[1].ShouldStartWith(StandInGateway.KnownId + "  demo");
        foreach (var value in new[] { "alice", "failed", "worker-1", "7" })
        {
            lines[1].ShouldContain(value);
        }
        // Each value sits under its header.
        lines[1].IndexOf("alice", StringComparison.Ordinal).ShouldBe(lines[0].IndexOf("USER", StringComparison.Ordinal));
        lines[1].IndexOf("failed", StringComparison.Ordinal).ShouldBe(lines[0].IndexOf("STATE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ls_StdoutIsTerminal_BoldHeadersAndWholeIds()
    {
        var (code, stdout, stderr) = await RunWithAsync(_gateway.Url, c => c with { OutIsTerminal = true }, "ls");

        code.ShouldBe(0, stderr);
        stdout.ShouldContain("\u001b[1mID\u001b[0m");
        stdout.ShouldContain(StandInGateway.KnownId); // the key column never wraps, even at 80 columns
        stdout.ShouldContain("alice");
    }

    [Fact]
    public async Task Status_Table_HistoryUnderItsHeaders()
    {
        var (code, stdout, _) = await RunAsync("status", StandInGateway.KnownId);

        code.ShouldBe(0);
        stdout.ShouldNotContain("\u001b");
        var lines = stdout.Split('\n');
        var header = Array.FindIndex(lines, l => l.StartsWith("TIME", StringComparison.Ordinal));
        header.ShouldBeGreaterThan(0);
        lines[header].Split(' ', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["TIME", "STATE", "NODE", "REASON"]);
        lines[header + 1].IndexOf("queued", StringComparison.Ordinal).ShouldBe(lines[header].IndexOf("STATE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_UnknownJob_OneLineAndExit1()
    {
        var (code, stdout, stderr) = await RunAsync("status", "0000000000zzzzzz");

        code.ShouldBe(1);
        stdout.ShouldBeEmpty();
        stderr.ShouldBe("error: Job not found: There is no job '0000000000zzzzzz' (404)\n");
    }

    [Fact]
    public async Task Rm_ServerRefuses_OneLineAndExit1()
    {
        var (code, _, stderr) = await RunAsync("rm", StandInGateway.KnownId);

        code.ShouldBe(1);
        stderr.ShouldBe("error: The job has not ended: Stop it first (409)\n");
    }

    [Fact]
    public async Task AnyVerb_GatewayDown_SaysItCannotReachIt()
    {
        var url = $"http://127.0.0.1:{LoopbackPorts.Next()}";

        var (code, _, stderr) = await RunWithUrlAsync(url, "ls");

        code.ShouldBe(1);
        stderr.ShouldBe($"error: cannot reach the Atlas gateway at {url}/: connection refused\n");
    }

    [Fact]
    public async Task Context_SetUseLs_RoundTripsThroughConfigFile()
    {
        (await RunWithUrlAsync(null, "context", "set", "lab", "--url", _gateway.Url)).Code.ShouldBe(0);
        (await RunWithUrlAsync(null, "context", "set", "other", "--url", "http://other:5558")).Code.ShouldBe(0);

        (await RunWithUrlAsync(null, "context", "ls")).Stdout.ShouldContain("* lab");
        (await RunWithUrlAsync(null, "ls")).Stdout.ShouldContain(StandInGateway.KnownId); // through the current context
        (await RunWithUrlAsync(null, "context", "use", "other")).Code.ShouldBe(0);
        (await RunWithUrlAsync(null, "--context", "lab", "ls")).Code.ShouldBe(0);
        (await RunWithUrlAsync(null, "context", "use", "missing")).Stderr.ShouldContain("'missing'");
        File.ReadAllText(_home.Combine(".atlas", "config.yaml")).ShouldContain("scheduler_url:");
    }

    private Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args) => RunWithUrlAsync(_gateway.Url, args);

    private Task<(int Code, string Stdout, string Stderr)> RunWithUrlAsync(string? url, params string[] args) => RunWithAsync(url, c => c, args);

    private async Task<(int Code, string Stdout, string Stderr)> RunWithAsync(string? url, Func<CliContext, CliContext> configure, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = configure(new CliContext(stdout, stderr, name => name == "ATLAS_URL" ? url : null, _home.Path));
        var code = await AtlasCli.RunAsync(args, context);
        return (code, stdout.ToString().Replace("\r\n", "\n", StringComparison.Ordinal), stderr.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }
}
