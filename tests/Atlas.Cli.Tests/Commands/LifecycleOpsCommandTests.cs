using Atlas.Testing;

namespace Atlas.Cli.Tests.Commands;

/// <summary>
/// <c>submit --retries/--retry-on</c>, <c>atlas priority</c> and <c>atlas stop --all-queued</c>: the real
/// root command, parsed and invoked in-process against a stand-in gateway. A bad flag is a usage
/// error (exit 2) naming it, and nothing is sent.
/// </summary>
public sealed class LifecycleOpsCommandTests : IAsyncLifetime
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
    public async Task Submit_RetriesAndRetryOn_AreInTheSpec()
    {
        var (code, _, stderr) = await RunAsync("submit", "--retries", "2", "--retry-on", "137, 143", _project.Path, "--", "python", "train.py");

        code.ShouldBe(0, stderr);
        var spec = _gateway.SubmittedSpec.ShouldNotBeNull();
        spec.Retries.ShouldBe(2);
        spec.RetryOn.ShouldBe([137, 143]);
    }

    [Fact]
    public async Task Submit_RetriesAlone_RetriesAnyNonZeroExit()
    {
        (await RunAsync("submit", "--retries", "1", _project.Path, "--", "true")).Code.ShouldBe(0);

        _gateway.SubmittedSpec!.Retries.ShouldBe(1);
        _gateway.SubmittedSpec.RetryOn.ShouldBeNull();
    }

    [Theory]
    [InlineData("--retry-on: 'abc'", "--retries", "1", "--retry-on", "abc")]
    [InlineData("--retry-on: '0'", "--retries", "1", "--retry-on", "0")]
    [InlineData("--retry-on: '256'", "--retries", "1", "--retry-on", "137,256")]
    [InlineData("--retry-on: give --retries N too", "--retry-on", "137")]
    [InlineData("--retries: -1 is below 0", "--retries", "-1")]
    public async Task Submit_BadRetryFlags_IsAUsageErrorNamingTheFlag(string message, params string[] flags)
    {
        var (code, _, stderr) = await RunAsync(["submit", .. flags, _project.Path, "--", "true"]);

        code.ShouldBe(2);
        stderr.ShouldContain(message);
        _gateway.SubmittedSpec.ShouldBeNull();
    }

    [Theory]
    [InlineData("priority: '101'", "priority", StandInGateway.KnownId, "101")]
    [InlineData("priority: '-101'", "priority", StandInGateway.KnownId, "--", "-101")]
    [InlineData("priority: 'high'", "priority", StandInGateway.KnownId, "high")]
    [InlineData("priority: give a number (-100..100) or --top", "priority", StandInGateway.KnownId)]
    [InlineData("priority: give a number or --top, not both", "priority", StandInGateway.KnownId, "5", "--top")]
    [InlineData("--user and --everyone go with --all-queued", "stop", "--everyone")]
    [InlineData("--user and --everyone go with --all-queued", "stop", StandInGateway.KnownId, "--user", "bob")]
    [InlineData("--all-queued takes no job id", "stop", StandInGateway.KnownId, "--all-queued")]
    [InlineData("--user and --everyone: give one of them", "stop", "--all-queued", "--user", "bob", "--everyone")]
    [InlineData("give a job id, or --all-queued", "stop")]
    public async Task BadArguments_AreAUsageErrorNamingTheFlag(string message, params string[] args)
    {
        var (code, _, stderr) = await RunAsync(args);

        code.ShouldBe(2);
        stderr.ShouldContain(message);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, name => name == "ATLAS_URL" ? _gateway.Url : null, _home.Path);
        var code = await AtlasCli.RunAsync(args, context);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
