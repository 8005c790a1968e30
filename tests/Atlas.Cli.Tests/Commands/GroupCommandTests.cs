using Atlas.Core.Jobs;
using Atlas.Testing;

namespace Atlas.Cli.Tests.Commands;

/// <summary>The real root command's sweeps, arrays, dependencies and group verbs, against the stand-in gateway.</summary>
public sealed class GroupCommandTests : IAsyncLifetime
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
    public async Task Submit_TwoSweeps_OneGroupSubmitWithTheTemplateAndOneBundle_PrintsTheGroupId()
    {
        var (code, stdout, stderr) = await RunAsync("submit", "--sweep", "lr=0.1,0.01", "--sweep", "bs=32,64", _project.Path, "--", "python", "train.py", "--lr", "{lr}", "--bs", "{bs}");

        code.ShouldBe(0, stderr);
        stdout.ShouldBe(StandInGateway.KnownGroupId + "\n");
        _gateway.GroupSubmits.ShouldBe(1);
        var group = _gateway.SubmittedGroup.ShouldNotBeNull();
        group.Sweep!.Select(a => (a.Name, string.Join(',', a.Values))).ShouldBe([("lr", "0.1,0.01"), ("bs", "32,64")]);
        group.Array.ShouldBeNull();
        _gateway.SubmittedSpec!.Command.ShouldBe(["python", "train.py", "--lr", "{lr}", "--bs", "{bs}"]);
    }

    [Fact]
    public async Task Submit_ArrayWithLimit_SendsIndicesAndMaxRunning()
    {
        var (code, _, stderr) = await RunAsync("submit", "--array", "0-99%10", _project.Path, "--", "python", "shard.py", "{index}");

        code.ShouldBe(0, stderr);
        _gateway.SubmittedGroup!.Array.ShouldBe(new JobArray(0, 99));
        _gateway.SubmittedGroup.MaxRunning.ShouldBe(10);
    }

    [Fact]
    public async Task Submit_AfterAndAfterAny_InTheSpec()
    {
        var (code, _, stderr) = await RunAsync("submit", "--after", "01m8000000000aaa,01m8000000000aab", "--after-any", "01m8000000000aac", _project.Path, "--", "true");

        code.ShouldBe(0, stderr);
        _gateway.SubmittedSpec!.After.ShouldBe(["01m8000000000aaa", "01m8000000000aab"]);
        _gateway.SubmittedSpec.AfterAny.ShouldBe(["01m8000000000aac"]);
    }

    [Theory]
    [InlineData("--sweep", new[] { "--sweep", "lr=1,2" }, new[] { "x", "{momentum}" })]
    [InlineData("--sweep", new[] { "--sweep", "1lr=1,2" }, new[] { "x" })]
    [InlineData("--sweep", new[] { "--sweep", "lr" }, new[] { "x" })]
    [InlineData("--sweep", new[] { "--sweep", "index=1" }, new[] { "x" })]
    [InlineData("--array", new[] { "--array", "9-1" }, new[] { "x" })]
    [InlineData("--array", new[] { "--array", "0-9" }, new[] { "x", "{lr}" })]
    [InlineData("--after", new[] { "--after", "nope" }, new[] { "x" })]
    [InlineData("--after-any", new[] { "--after-any", "," }, new[] { "x" })]
    [InlineData("--wait", new[] { "--wait", "--array", "0-1" }, new[] { "x" })]
    public async Task Submit_BadGroupOrDependencyFlag_ErrorNamesTheFlagAndSendsNothing(string flag, string[] options, string[] command)
    {
        var (code, stdout, stderr) = await RunAsync([.. new[] { "submit" }, .. options, _project.Path, "--", .. command]);

        code.ShouldBe(2);
        stdout.ShouldBeEmpty();
        stderr.ShouldStartWith($"error: {flag}:");
        _gateway.GroupSubmits.ShouldBe(0);
        _gateway.SubmittedSpec.ShouldBeNull();
    }

    [Fact]
    public async Task Status_GroupId_ShowsCountsByState()
    {
        var (code, stdout, stderr) = await RunAsync("status", StandInGateway.KnownGroupId);

        code.ShouldBe(0, stderr);
        stdout.ShouldContain($"group:       {StandInGateway.KnownGroupId}");
        stdout.ShouldContain("max running: 2");
        stdout.ShouldMatch(@"(?m)^running\s+2\s*$");
        stdout.ShouldMatch(@"(?m)^queued\s+1\s*$");
    }

    [Fact]
    public async Task List_Group_ShowsItsJobsFilteredByState()
    {
        var (code, stdout, stderr) = await RunAsync("ls", "--group", StandInGateway.KnownGroupId, "--state", "queued");

        code.ShouldBe(0, stderr);
        stdout.ShouldContain("01m8000000000abe");
        stdout.ShouldNotContain(StandInGateway.KnownId);
    }

    [Fact]
    public async Task Stop_Group_PrintsWhatItDid()
    {
        var (code, stdout, stderr) = await RunAsync("stop", "--group", StandInGateway.KnownGroupId);

        code.ShouldBe(0, stderr);
        stdout.ShouldBe($"{StandInGateway.KnownGroupId}: 1 cancelled, 2 stopping, 1 already ended\n");
        (await RunAsync("stop", "--group", "nope")).Stderr.ShouldStartWith("error: --group:");
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, name => name == "ATLAS_URL" ? _gateway.Url : null, _home.Path);
        var code = await AtlasCli.RunAsync(args, context);
        return (code, stdout.ToString().Replace("\r\n", "\n", StringComparison.Ordinal), stderr.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }
}
