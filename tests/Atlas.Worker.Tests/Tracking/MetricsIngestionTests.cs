using Atlas.Core.Jobs;
using Atlas.Core.SharedVolume;
using Atlas.Core.Storage;
using Atlas.Core.Tracking;
using Atlas.Testing;
using Atlas.Worker.Tests.Execution;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;

namespace Atlas.Worker.Tests.Tracking;

/// <summary>
/// The real worker (process runtime) on a real redis-server takes what jobs report through
/// ATLAS_METRICS_FILE and stdout, and stores it in Redis and in the durable copy. The test plays
/// the master's part through the store, and reads back as the API does.
/// </summary>
public sealed class MetricsIngestionTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string Node = "metrics-node";
    private readonly TempFolder _shared = new("atlas-shared");
    private readonly Dictionary<string, string> _settings = new() { ["Atlas:Tracking:FlushMilliseconds"] = "50" };
    private WebApplicationFactory<Program>? _worker;
    private ConnectionMultiplexer _redis = null!;
    private MasterJobStore _store = null!;
    private JobReader _jobs = null!;
    private TrackingReader _reader = null!;
    private long _epoch;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _redis = await redis.ConnectEmptyAsync();
        _store = new MasterJobStore(_redis);
        _jobs = new JobReader(_redis);
        _reader = new TrackingReader(_redis, new JobPaths(_shared.Path));
        _epoch = await _store.LeadAsync("test-master", TimeSpan.FromMinutes(5), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
        await _redis.DisposeAsync();
        _shared.Dispose();
    }

    [Fact]
    public async Task Job_ReportsThroughFileAndStdout_SeriesParamsTagsStoredInRedisAndDurableCopy()
    {
        StartWorker();
        var id = await SubmitAndPlaceAsync(new JobSpec
        {
            Command = ["/bin/sh", "-c", """
                echo "lr is $ATLAS_PARAM_LR"
                echo '{"metric":"loss","value":0.9,"step":1}' >> "$ATLAS_METRICS_FILE"
                echo '{"metric":"loss","value":0.5,"step":2}' >> "$ATLAS_METRICS_FILE"
                echo '@@atlas {"metric":"loss","value":0.3,"step":3}'
                echo '@@atlas {"metric":"acc","value":0.7}'
                echo '{"param":"batch","value":64}' >> "$ATLAS_METRICS_FILE"
                echo '{"tag":"stage","value":"baseline"}' >> "$ATLAS_METRICS_FILE"
                printf 'w' > "$ATLAS_OUTPUT_DIR/model.pt"
                echo '{"artifact":"model.pt"}' >> "$ATLAS_METRICS_FILE"
                """],
            Params = new Dictionary<string, string> { ["lr"] = "0.1" },
        });

        var job = await WaitEndedAsync(id);

        job.State.ShouldBe(JobState.Succeeded, job.Reason);
        var metrics = await _reader.MetricsAsync(id, null, Ct);
        metrics.Series.Select(s => s.Name).ShouldBe(["acc", "loss"]);
        var loss = metrics.Series.Single(s => s.Name == "loss");
        loss.Values.ShouldBe([0.9, 0.5, 0.3]);
        loss.Steps.ShouldBe([1L, 2L, 3L]);
        loss.Times.ShouldAllBe(t => t >= job.SubmittedAt.ToUnixTimeMilliseconds());
        metrics.Series.Single(s => s.Name == "acc").Steps.ShouldBe([null]);
        metrics.SkippedLines.ShouldBe(0);
        metrics.RejectedValues.ShouldBe(0);
        var view = await _reader.WithLabelsAsync(job, Ct);
        view.Params.ShouldBe(new Dictionary<string, string> { ["batch"] = "64" }); // the submit's params are recorded by the master
        view.Tags["stage"].ShouldBe("baseline");
        File.ReadAllText(Path.Combine(_shared.Path, "jobs", id, "logs", "stdout.log")).ShouldStartWith("lr is 0.1\n");
        var durable = File.ReadAllLines(Path.Combine(_shared.Path, "jobs", id, "metrics.jsonl"));
        durable.Count(l => l.Contains("\"metric\":\"loss\"", StringComparison.Ordinal)).ShouldBe(3);
        durable.ShouldContain("""{"artifact":"model.pt"}""");
        File.Exists(Path.Combine(_shared.Path, "jobs", id, "work", JobHelper.PythonFileName)).ShouldBeTrue();
        // The live feed outlives the job by a while only; the series stay.
        (await _redis.GetDatabase().KeyTimeToLiveAsync(TrackingKeys.Live(id))).ShouldNotBeNull().ShouldBeLessThanOrEqualTo(TimeSpan.FromSeconds(600));
    }

    [Fact]
    public async Task Job_ReportingNothing_LeavesItsTrackingRecordUntouched()
    {
        StartWorker();
        var id = await SubmitAndPlaceAsync(new JobSpec { Command = ["/bin/sh", "-c", "echo no reports here"] });

        var job = await WaitEndedAsync(id);

        job.State.ShouldBe(JobState.Succeeded, job.Reason);
        // The first write of a batch records its fence in the meta hash: no batch was written.
        (await _redis.GetDatabase().HashGetAsync(TrackingKeys.Meta(id), "fence")).IsNull.ShouldBeTrue();
        (await _redis.GetDatabase().KeyExistsAsync(TrackingKeys.Live(id))).ShouldBeFalse();
        (await _reader.MetricsAsync(id, null, Ct)).Series.ShouldBeEmpty();
    }

    [Fact]
    public async Task PythonHelper_CopiedIntoJobFolder_ReportsWithoutAnSdk()
    {
        if (RedisServer.FindOnPath("python3") is null)
        {
            throw TestEnvironment.Missing("python3");
        }
        StartWorker();
        var id = await SubmitAndPlaceAsync(new JobSpec
        {
            Command = ["python3", "-c", """
                import atlas_job, os
                atlas_job.log_params({"lr": 0.001, "opt": "adam"})
                for i in range(5):
                    atlas_job.log_metric("loss", 1.0 / (i + 1), step=i)
                atlas_job.set_tag("stage", "baseline")
                open(os.path.join(atlas_job.output_dir(), "m.txt"), "w").write("x")
                atlas_job.save_artifact("m.txt")
                try:
                    atlas_job.log_metric("loss", float("nan"))
                except ValueError:
                    print("refused nan")
                """],
        });

        var job = await WaitEndedAsync(id);

        job.State.ShouldBe(JobState.Succeeded, job.Reason);
        var metrics = await _reader.MetricsAsync(id, ["loss"], Ct);
        metrics.Series.Single().Values.ShouldBe([1.0, 0.5, 1.0 / 3, 0.25, 0.2]);
        var view = await _reader.WithLabelsAsync(job, Ct);
        view.Params.ShouldBe(new Dictionary<string, string> { ["lr"] = "0.001", ["opt"] = "adam" });
        view.Tags["stage"].ShouldBe("baseline");
        File.ReadAllText(Path.Combine(_shared.Path, "jobs", id, "logs", "stdout.log")).ShouldBe("refused nan\n");
    }

    [Fact]
    public async Task BadLines_SkippedOrRejectedAndCounted_WarningOnJobAndGoodLinesKept()
    {
        StartWorker();
        var id = await SubmitAndPlaceAsync(new JobSpec
        {
            Command = ["/bin/sh", "-c", """
                f="$ATLAS_METRICS_FILE"
                echo 'not json at all' >> "$f"
                echo '{"metric":"loss"}' >> "$f"
                echo '{"metric":"loss","value":NaN}' >> "$f"
                echo '{"metric":"loss","value":1e999}' >> "$f"
                echo '{"metric":"loss","value":"Infinity"}' >> "$f"
                echo '{"artifact":"../../spec.json"}' >> "$f"
                echo '{"artifact":"/etc/passwd"}' >> "$f"
                echo '{"metric":"loss","value":0.25,"step":7}' >> "$f"
                echo '@@atlas {broken' 
                """],
        });

        var job = await WaitEndedAsync(id);

        job.State.ShouldBe(JobState.Succeeded, job.Reason);
        var metrics = await _reader.MetricsAsync(id, null, Ct);
        metrics.Series.Single().Values.ShouldBe([0.25]);
        metrics.SkippedLines.ShouldBe(3);
        metrics.RejectedValues.ShouldBe(5);
        metrics.Warnings.Count.ShouldBe(8);
        var stderr = File.ReadAllText(Path.Combine(_shared.Path, "jobs", id, "logs", "stderr.log"));
        stderr.ShouldContain("atlas: a report of this job was not taken (not a JSON object: not json at all)");
        stderr.ShouldContain("artifact '../../spec.json' is not under ATLAS_OUTPUT_DIR");
        stderr.ShouldContain("not a finite number");
    }

    [Fact]
    public async Task Flood_PastTheCap_DownsampledKeepingLastValueAndExtremes()
    {
        _settings["Atlas:Tracking:MaxPointsPerSeries"] = "100";
        _settings["Atlas:Tracking:MaxDurablePoints"] = "1000";
        StartWorker();
        // 20,000 points in one burst; one spike up and one down in the middle.
        var id = await SubmitAndPlaceAsync(new JobSpec
        {
            Command = ["/bin/sh", "-c", """
                awk 'BEGIN { for (i = 0; i < 20000; i++) { v = i % 10; if (i == 7777) v = 1000; if (i == 12345) v = -1000; printf "{\"metric\":\"x\",\"value\":%d,\"step\":%d}\n", v, i } }' >> "$ATLAS_METRICS_FILE"
                echo '{"metric":"x","value":4.5,"step":20000}' >> "$ATLAS_METRICS_FILE"
                """],
        });

        var job = await WaitEndedAsync(id);

        job.State.ShouldBe(JobState.Succeeded, job.Reason);
        var series = (await _reader.MetricsAsync(id, null, Ct)).Series.Single();
        series.Values.Count.ShouldBeLessThanOrEqualTo(100);
        series.Values.Max().ShouldBe(1000);
        series.Values.Min().ShouldBe(-1000);
        series.Values[^1].ShouldBe(4.5);
        series.Steps[^1].ShouldBe(20000);
        series.Steps.ShouldBe(series.Steps.Order().ToList()); // still in order
        var run = (await _reader.RunsAsync([job], ["x"], Ct)).Single();
        run.Metrics["x"].ShouldBe(new MetricSummary(4.5, -1000, 1000, 20000));
        // The durable copy stays bounded too, and a rebuild from it keeps the same summary.
        File.ReadAllLines(Path.Combine(_shared.Path, "jobs", id, "metrics.jsonl")).Length.ShouldBeLessThan(2000);
        await DropTrackingKeysAsync(id);
        (await _reader.RunsAsync([job], ["x"], Ct)).Single().Metrics["x"].ShouldBe(new MetricSummary(4.5, -1000, 1000, 20000));
    }

    [Fact]
    public async Task RedisLosesReports_WhileRunningAndAfter_WorkerResendsAndReadsFallBackToDurableCopy()
    {
        StartWorker();
        var go = Path.Combine(_shared.Path, "go");
        var id = await SubmitAndPlaceAsync(new JobSpec
        {
            Command = ["/bin/sh", "-c", $$"""
                echo '{"metric":"loss","value":3,"step":1}' >> "$ATLAS_METRICS_FILE"
                echo '{"param":"lr","value":"0.5"}' >> "$ATLAS_METRICS_FILE"
                while [ ! -e '{{go}}' ]; do sleep 0.05; done
                echo '{"metric":"loss","value":2,"step":2}' >> "$ATLAS_METRICS_FILE"
                """],
        });
        await WaitForAsync(async () => (await _reader.MetricsAsync(id, null, Ct)).Series.Count == 1);

        // Redis restarted without the job's reports (its last second of writes lost).
        await DropTrackingKeysAsync(id);
        File.WriteAllText(go, "");
        var job = await WaitEndedAsync(id);

        // The worker noticed and sent everything again.
        (await _redis.GetDatabase().KeyExistsAsync(TrackingKeys.Meta(id))).ShouldBeTrue();
        (await _reader.MetricsAsync(id, null, Ct)).Series.Single().Values.ShouldBe([3.0, 2.0]);
        (await _reader.WithLabelsAsync(job, Ct)).Params["lr"].ShouldBe("0.5");

        // Lost again after the end: the durable copy answers.
        await DropTrackingKeysAsync(id);
        var rebuilt = await _reader.MetricsAsync(id, null, Ct);
        rebuilt.Series.Single().Values.ShouldBe([3.0, 2.0]);
        rebuilt.Series.Single().Steps.ShouldBe([1L, 2L]);
        (await _reader.WithLabelsAsync(job, Ct)).Params["lr"].ShouldBe("0.5");
    }

    [Fact]
    public async Task WorkerGoneMidJob_NextAttempt_TakesWhatWasLeftUnreadAndAddsItsOwn()
    {
        StartWorker();
        var id = await SubmitAndPlaceAsync(new JobSpec
        {
            Command = ["/bin/sh", "-c", """
                echo "{\"metric\":\"attempt\",\"value\":$ATLAS_ATTEMPT}" >> "$ATLAS_METRICS_FILE"
                [ "$ATLAS_ATTEMPT" = 1 ] && sleep 60
                exit 0
                """],
        });
        await WaitForAsync(async () => (await _reader.MetricsAsync(id, null, Ct)).Series.Count == 1);

        await _worker!.DisposeAsync(); // the node goes away mid-job: the job goes back to the queue
        (await _jobs.GetAsync(id, Ct))!.View.State.ShouldBe(JobState.Queued);
        // A line the first attempt wrote that its worker never read (it crashed before its next tick).
        File.AppendAllText(Path.Combine(_shared.Path, "jobs", id, "work", ".atlas-metrics.jsonl"), "{\"metric\":\"attempt\",\"value\":1.5}\n");
        StartWorker();
        await WaitForAsync(async () => (await _store.PlaceAsync(10, TimeSpan.FromSeconds(15), _epoch, Ct)).Count > 0);
        var job = await WaitEndedAsync(id);

        job.State.ShouldBe(JobState.Succeeded, job.Reason);
        job.Attempt.ShouldBe(2);
        (await _reader.MetricsAsync(id, null, Ct)).Series.Single().Values.ShouldBe([1.0, 1.5, 2.0]);
        File.ReadAllLines(Path.Combine(_shared.Path, "jobs", id, "metrics.jsonl")).Count(l => l.Contains("attempt", StringComparison.Ordinal)).ShouldBe(3);
    }

    private void StartWorker()
    {
        _worker = WorkerHost.Create(redis.ConnectionString, _shared.Path, Node, drainGraceSeconds: "0.5", heartbeatSeconds: "0.5", settings: _settings);
        _ = _worker.Server;
    }

    private async Task DropTrackingKeysAsync(string id)
    {
        var db = _redis.GetDatabase();
        var names = await db.HashKeysAsync(TrackingKeys.Summary(id));
        await db.KeyDeleteAsync([TrackingKeys.Meta(id), TrackingKeys.Summary(id), TrackingKeys.Params(id), TrackingKeys.Tags(id), TrackingKeys.Live(id),
            .. names.Select(n => (RedisKey)TrackingKeys.Series(id, n!))]);
    }

    private async Task<string> SubmitAndPlaceAsync(JobSpec spec)
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        Directory.CreateDirectory(Path.Combine(_shared.Path, "jobs", id, "work"));
        await _store.SubmitAsync(id, spec with { Project = "demo" }, JobOwner.Local, null, null, Ct);
        await WaitForAsync(async () => (await _store.PlaceAsync(10, TimeSpan.FromSeconds(15), _epoch, Ct)).Count > 0);
        return id;
    }

    private Task<JobView> WaitEndedAsync(string id) => JobWaits.WaitEndedAsync(_jobs, id, Ct);

    private static Task WaitForAsync(Func<Task<bool>> condition) => JobWaits.WaitForAsync(condition, Ct);
}
