extern alias master;

using System.Net.Http.Json;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Tracking;
using Atlas.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;

namespace Atlas.Cli.Tests.Tracking;

/// <summary>
/// The real CLI root command against the real master (in-process, on a real redis-server):
/// metrics, compare, artifacts, ls --columns, submit --param/--tag and init. Reports are written
/// the way the worker writes them (<see cref="JobReports"/>).
/// </summary>
public sealed class TrackingCommandsTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly TempFolder _home = new("atlas-home");
    private readonly TempFolder _shared = new("atlas-shared");
    private readonly TempFolder _work = new("atlas-cli-work");
    private WebApplicationFactory<master::Program> _master = null!;
    private HttpClient _api = null!;
    private ConnectionMultiplexer _redis = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _redis = await redis.ConnectEmptyAsync();
        _master = new WebApplicationFactory<master::Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:redis", redis.ConnectionString);
            b.UseSetting("Atlas:SharedRoot", _shared.Path);
        });
        _api = _master.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _master.DisposeAsync();
        await _redis.DisposeAsync();
        _home.Dispose();
        _shared.Dispose();
        _work.Dispose();
    }

    [Fact]
    public async Task Metrics_Reported_TableShowsLastMinMaxStepAndJsonIsTheApiView()
    {
        var id = await SubmitAsync("""{"command":["true"]}""");
        await JobReports.WriteAsync(_redis, id, 0, 1, """{"metric":"loss","value":0.5,"step":1}""", """{"metric":"loss","value":0.2,"step":2}""", """{"metric":"loss","value":0.3,"step":3}""", "junk");

        var (code, stdout, stderr) = await RunAsync("metrics", id);
        var (jsonCode, json, _) = await RunAsync("metrics", id, "--output", "json");

        code.ShouldBe(0, stderr);
        stdout.ShouldBe("METRIC  POINTS  LAST  MIN  MAX  STEP\nloss    3       0.3   0.2  0.5  3\nskipped lines: 1, rejected values: 0\n  not a JSON object: junk\n");
        jsonCode.ShouldBe(0);
        var view = JsonSerializer.Deserialize<MetricsView>(json, AtlasJson.Options)!;
        view.Series.Single().Values.ShouldBe([0.5, 0.2, 0.3]);
    }

    [Fact]
    public async Task MetricsFollow_NewPoints_PrintedUntilTheJobEnds()
    {
        var id = await SubmitAsync("""{"command":["true"]}""");
        await JobReports.WriteAsync(_redis, id, 0, 1, """{"metric":"loss","value":1,"step":1}""");

        var following = RunAsync("metrics", "--follow", id, "--output", "json");
        await Task.Delay(500, Ct);
        await JobReports.WriteAsync(_redis, id, 0, 2, """{"metric":"loss","value":0.25,"step":2}""");
        await Task.Delay(500, Ct);
        await _api.PostAsync($"/api/v1/jobs/{id}/stop", null, Ct);
        var (code, stdout, stderr) = await following.WaitAsync(TimeSpan.FromSeconds(15), Ct);

        code.ShouldBe(0, stderr);
        stdout.Trim().ShouldBe("""{"name":"loss","step":2,"value":0.25,"time":2}""");
    }

    [Fact]
    public async Task Compare_TwoRuns_ParamsAndMetricsSideBySideDifferencesMarked()
    {
        var a = await SubmitAsync("""{"command":["true"],"name":"run","params":{"lr":"0.1","bs":"32"}}""");
        var b = await SubmitAsync("""{"command":["true"],"name":"run","params":{"lr":"0.01","bs":"32"}}""");
        await JobReports.WriteAsync(_redis, a, 0, 1, """{"metric":"loss","value":0.4,"step":9}""");
        await JobReports.WriteAsync(_redis, b, 0, 1, """{"metric":"loss","value":0.2,"step":9}""");

        var (code, stdout, stderr) = await RunAsync("compare", a, b);
        var (_, json, _) = await RunAsync("compare", a, b, "-o", "json");

        code.ShouldBe(0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldContain(a);
        lines[0].ShouldContain(b);
        lines.Single(l => l.Contains("param lr", StringComparison.Ordinal)).ShouldStartWith("*");
        lines.Single(l => l.Contains("param lr", StringComparison.Ordinal)).ShouldContain("0.1");
        lines.Single(l => l.Contains("param bs", StringComparison.Ordinal)).ShouldNotStartWith("*");
        lines.Single(l => l.Contains("loss last", StringComparison.Ordinal)).ShouldStartWith("*");
        lines.Single(l => l.Contains("loss step", StringComparison.Ordinal)).ShouldNotStartWith("*");
        var runs = JsonSerializer.Deserialize<List<RunView>>(json, AtlasJson.Options)!;
        runs.Select(r => r.Metrics["loss"].Last).ShouldBe([0.4, 0.2]);
        (await RunAsync("compare", a)).Code.ShouldBe(2);
    }

    [Fact]
    public async Task Artifacts_LsAndGet_SavesAllOrOneKeepingPaths()
    {
        var id = await SubmitAsync("""{"command":["true"]}""");
        var artifacts = Path.Combine(_shared.Path, "jobs", id, "artifacts");
        Directory.CreateDirectory(Path.Combine(artifacts, "ckpt"));
        File.WriteAllText(Path.Combine(artifacts, "model.pt"), "weights");
        File.WriteAllText(Path.Combine(artifacts, "ckpt", "1.pt"), "one");

        var (code, stdout, stderr) = await RunAsync("artifacts", "ls", id);
        var all = await RunAsync("artifacts", "get", id, "--to", _work.Combine("all"));
        var one = await RunAsync("artifacts", "get", id, "ckpt/1.pt", "--to", _work.Combine("one"), "--output", "json");
        var missing = await RunAsync("artifacts", "get", id, "nope.pt", "--to", _work.Combine("none"));

        code.ShouldBe(0, stderr);
        stdout.Split('\n')[1].ShouldStartWith("ckpt/1.pt  3  ");
        stdout.Split('\n')[2].ShouldStartWith("model.pt   7  ");
        all.Code.ShouldBe(0, all.Stderr);
        File.ReadAllText(_work.Combine("all/model.pt")).ShouldBe("weights");
        File.ReadAllText(_work.Combine("all/ckpt/1.pt")).ShouldBe("one");
        one.Code.ShouldBe(0, one.Stderr);
        JsonSerializer.Deserialize<List<ArtifactView>>(one.Stdout, AtlasJson.Options)!.Single().Size.ShouldBe(3);
        Directory.GetFiles(_work.Combine("one"), "*", SearchOption.AllDirectories).ShouldBe([_work.Combine("one/ckpt/1.pt")]);
        missing.Code.ShouldBe(1);
        missing.Stderr.ShouldContain("nope.pt");
        File.Exists(_work.Combine("none/nope.pt")).ShouldBeFalse();
    }

    [Fact]
    public async Task LsColumns_Project_ShowsMetricsParamsAndTagsPerRun()
    {
        var a = await SubmitAsync("""{"command":["true"],"project":"sweep","params":{"lr":"0.1"},"tags":{"stage":"x"}}""");
        await JobReports.WriteAsync(_redis, a, 0, 1, """{"metric":"loss","value":0.125}""");

        var (code, stdout, stderr) = await RunAsync("ls", "--project", "sweep", "--columns", "loss,lr,stage,acc");
        var noProject = await RunAsync("ls", "--columns", "loss");

        code.ShouldBe(0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldEndWith("LOSS   LR   STAGE  ACC");
        lines[1].ShouldStartWith(a);
        lines[1].ShouldEndWith("0.125  0.1  x      -");
        noProject.Code.ShouldBe(2);
        noProject.Stderr.ShouldContain("--columns");
    }

    [Fact]
    public async Task SubmitParamsAndTags_RecordedOnTheJob_BadOneRefusedNamingTheOption()
    {
        var project = _work.Combine("proj");
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, "main.py"), "print(1)");

        var (code, stdout, stderr) = await RunAsync("submit", "--param", "lr=0.1", "--param", "opt=adam", "--tag", "stage=baseline", project, "--", "python", "main.py");
        var bad = await RunAsync("submit", "--param", "nolabel", project, "--", "true");

        code.ShouldBe(0, stderr);
        var job = await _api.GetFromJsonAsync<JobView>($"/api/v1/jobs/{stdout.Trim()}", AtlasJson.Options, Ct);
        job!.Params.ShouldBe(new Dictionary<string, string> { ["lr"] = "0.1", ["opt"] = "adam" }, ignoreOrder: true);
        job.Tags["stage"].ShouldBe("baseline");
        bad.Code.ShouldBe(2);
        bad.Stderr.ShouldStartWith("error: --param: 'nolabel'");
    }

    [Fact]
    public async Task Init_NewFolder_StarterProjectThatReportsThroughTheHelper()
    {
        var folder = _work.Combine("starter");

        var (code, stdout, stderr) = await RunAsync("init", folder);
        var again = await RunAsync("init", folder);

        code.ShouldBe(0, stderr);
        stdout.ShouldContain("atlas submit");
        Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ShouldBe([".atlasignore", "README.md", "atlas_job.py", "main.py"]);
        File.ReadAllText(Path.Combine(folder, "main.py")).ShouldContain("atlas_job.log_metric(\"loss\"");
        File.ReadAllText(Path.Combine(folder, "README.md")).ShouldContain("atlas submit");
        again.Code.ShouldBe(2);
        again.Stderr.ShouldContain("already exists");
        var json = await RunAsync("init", _work.Combine("other"), "--output", "json");
        JsonDocument.Parse(json.Stdout).RootElement.GetProperty("files").GetArrayLength().ShouldBe(4);
        if (RedisServer.FindOnPath("python3") is null)
        {
            throw TestEnvironment.Missing("python3");
        }
        // Outside Atlas the helper prints its reports after the stdout prefix.
        using var run = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("python3", "main.py")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            Environment = { ["ATLAS_PARAM_LR"] = "0.1" },
        })!;
        var output = await run.StandardOutput.ReadToEndAsync(Ct);
        await run.WaitForExitAsync(Ct);
        run.ExitCode.ShouldBe(0);
        output.ShouldContain("@@atlas {\"param\":\"lr\",\"value\":0.1}");
        output.ShouldContain("@@atlas {\"metric\":\"loss\"");
    }

    private async Task<string> SubmitAsync(string spec)
    {
        using var response = await _api.PostAsync("/api/v1/jobs", JobUpload.Multipart(spec, JobUpload.Bundle(("a.txt", "a"))), Ct);
        return (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, Ct))!.Id;
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, name => name == "ATLAS_URL" ? "http://localhost" : null, _home.Path) { Handler = _master.Server.CreateHandler() };
        var code = await AtlasCli.RunAsync(args, context);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
