extern alias master;

using System.Net.Http.Json;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Schedules;
using Atlas.Core.Storage;
using Atlas.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Atlas.Cli.Tests.Schedules;

/// <summary>
/// The real CLI root command against the real master (in-process, on a real redis-server):
/// <c>atlas schedule add</c> packs the folder and takes submit's options, <c>ls</c> shows the
/// table, <c>pause</c>/<c>resume</c>/<c>rm</c> take an id or a name, and mistakes name the flag.
/// </summary>
public sealed class ScheduleCommandTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly TempFolder _home = new("atlas-home");
    private readonly TempFolder _shared = new("atlas-shared");
    private readonly TempFolder _work = new("atlas-cli-work");
    private WebApplicationFactory<master::Program> _master = null!;
    private HttpClient _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        using (var connection = RedisConnector.Connect(redis.ConnectionString))
        {
            await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
        }
        _master = new WebApplicationFactory<master::Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:redis", redis.ConnectionString);
            b.UseSetting("Atlas:SharedRoot", _shared.Path);
            b.UseSetting("Atlas:Master:Schedules:CheckIntervalSeconds", "0.2");
        });
        _api = _master.CreateClient();
        File.WriteAllText(Path.Combine(_work.Path, "train.py"), "print('hi')");
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _master.DisposeAsync();
        _home.Dispose();
        _shared.Dispose();
        _work.Dispose();
    }

    [Fact]
    public async Task Add_WithSubmitOptions_StoresTheSpecAndPrintsIdAndNextRun()
    {
        var (code, stdout, stderr) = await RunAsync("schedule", "add", "--cron", "0 3 * * *", "--name", "nightly", "--project", "vision",
            "--param", "lr=0.1", "--tag", "stage=nightly", "-e", "SEED=1", "--priority", "5", "--image", "python:3.12", _work.Path, "--", "python", "train.py");

        code.ShouldBe(0, stderr);
        var schedule = (await ListAsync()).Single();
        stdout.Trim().ShouldBe($"{schedule.Id} next run {schedule.NextRunAt!.Value.UtcDateTime:yyyy-MM-dd} 03:00:00");
        schedule.Name.ShouldBe("nightly");
        schedule.Spec.Name.ShouldBe("nightly");
        schedule.Spec.Project.ShouldBe("vision");
        schedule.Spec.Command.ShouldBe(["python", "train.py"]);
        schedule.Spec.Params!["lr"].ShouldBe("0.1");
        schedule.Spec.Tags!["stage"].ShouldBe("nightly");
        schedule.Spec.Env["SEED"].ShouldBe("1");
        schedule.Spec.Priority.ShouldBe(5);
        schedule.Spec.Image.ShouldBe("python:3.12");
        File.Exists(Path.Combine(_shared.Path, "schedules", schedule.Id, "bundle.tar.gz")).ShouldBeTrue();
    }

    [Fact]
    public async Task LsPauseResumeRm_ByName_TableShowsEachChange()
    {
        (await RunAsync("schedule", "add", "--cron", "0 3 * * *", "--name", "nightly", _work.Path, "--", "python", "train.py")).Code.ShouldBe(0);
        var id = (await ListAsync()).Single().Id;

        var (code, table, stderr) = await RunAsync("schedule", "ls");
        code.ShouldBe(0, stderr);
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldMatch(@"^ID\s+NAME\s+CRON\s+NEXT RUN \(UTC\)\s+PAUSED\s+LAST JOB\s+STATE\s*$");
        lines[1].ShouldMatch($@"^{id}\s+nightly\s+0 3 \* \* \*\s+\d{{4}}-\d\d-\d\d 03:00:00\s+no\s+-\s+-\s*$");

        (await RunAsync("schedule", "pause", "nightly")).Stdout.Trim().ShouldBe($"{id} paused");
        (await RunAsync("schedule", "ls")).Stdout.Split('\n')[1].ShouldMatch($@"^{id}\s+nightly\s+0 3 \* \* \*\s+-\s+yes\s+");
        (await RunAsync("schedule", "resume", id)).Stdout.Trim().ShouldStartWith($"{id} next run ");
        (await ListAsync()).Single().Paused.ShouldBeFalse();

        var (rmCode, removed, _) = await RunAsync("schedule", "rm", "nightly");
        rmCode.ShouldBe(0);
        removed.Trim().ShouldBe("nightly removed");
        (await ListAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Ls_AfterATick_ShowsTheLastJobAndItsState_JsonIsTheApiView()
    {
        (await RunAsync("schedule", "add", "--cron", "* * * * * *", "--name", "often", _work.Path, "--", "python", "train.py")).Code.ShouldBe(0);
        await UntilLastJobRecordedAsync();
        (await RunAsync("schedule", "pause", "often")).Code.ShouldBe(0);
        await UntilLastJobRecordedAsync(); // a tick claimed just before the pause is recorded a moment later

        var (code, json, stderr) = await RunAsync("schedule", "ls", "-o", "json");
        code.ShouldBe(0, stderr);
        var view = JsonSerializer.Deserialize<List<ScheduleView>>(json, AtlasJson.Options)!.Single();
        view.LastJobId.ShouldNotBeNull();
        view.LastJobState.ShouldBe(JobState.Queued);
        (await RunAsync("schedule", "ls")).Stdout.Split('\n')[1].ShouldMatch($@"\s{view.LastJobId}\s+queued\s*$");
    }

    [Fact]
    public async Task Mistakes_NameTheFlagOrField_AndAddNothing()
    {
        var noCron = await RunAsync("schedule", "add", _work.Path, "--", "python", "train.py");
        noCron.Code.ShouldBe(2);
        noCron.Stderr.ShouldStartWith("error: --cron:");

        var badCron = await RunAsync("schedule", "add", "--cron", "every night", _work.Path, "--", "python", "train.py");
        badCron.Code.ShouldBe(1);
        badCron.Stderr.ShouldStartWith("error: cron:");
        badCron.Stderr.ShouldContain("(400)");

        var badZone = await RunAsync("schedule", "add", "--cron", "0 3 * * *", "--timezone", "Nowhere/Town", _work.Path, "--", "python", "train.py");
        badZone.Code.ShouldBe(1);
        badZone.Stderr.ShouldStartWith("error: timezone:");

        var noCommand = await RunAsync("schedule", "add", "--cron", "0 3 * * *", _work.Path);
        noCommand.Code.ShouldBe(2);
        noCommand.Stderr.ShouldContain("no command");

        var badParam = await RunAsync("schedule", "add", "--cron", "0 3 * * *", "--param", "nope", _work.Path, "--", "python", "train.py");
        badParam.Code.ShouldBe(2);
        badParam.Stderr.ShouldStartWith("error: --param:");

        var noFolder = await RunAsync("schedule", "add", "--cron", "0 3 * * *", Path.Combine(_work.Path, "missing"), "--", "python", "train.py");
        noFolder.Code.ShouldBe(2);
        noFolder.Stderr.ShouldStartWith("error: dir:");

        var unknown = await RunAsync("schedule", "pause", "no-such-schedule");
        unknown.Code.ShouldBe(1);
        unknown.Stderr.ShouldContain("(404)");

        (await ListAsync()).ShouldBeEmpty();
    }

    private async Task UntilLastJobRecordedAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await ListAsync()).Single().LastJobState is null)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the schedule's last job recorded within 20 s");
            await Task.Delay(100, Ct);
        }
    }

    private async Task<List<ScheduleView>> ListAsync() =>
        (await _api.GetFromJsonAsync<List<ScheduleView>>("/api/v1/schedules", AtlasJson.Options, Ct))!;

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, name => name == "ATLAS_URL" ? "http://localhost" : null, _home.Path) { Handler = _master.Server.CreateHandler() };
        var code = await AtlasCli.RunAsync(args, context);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
