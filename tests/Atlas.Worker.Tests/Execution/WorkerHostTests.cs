using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using Atlas.Core.Storage;
using Atlas.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;

namespace Atlas.Worker.Tests.Execution;

/// <summary>
/// The real worker host (process runtime) on a real redis-server. The test plays the master's
/// part through the same <see cref="Core.Storage.MasterJobStore"/> calls the master makes.
/// </summary>
public sealed class WorkerHostTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string Node = "test-node";
    private readonly TempFolder _shared = new("atlas-shared");
    private WebApplicationFactory<Program> _worker = null!;
    private ConnectionMultiplexer _redis = null!;
    private JobStores _store = null!;
    private long _epoch;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _redis = await redis.ConnectEmptyAsync();
        _store = new JobStores(_redis);
        _epoch = await _store.Master.LeadAsync("test-master", TimeSpan.FromMinutes(5), Ct);
        _worker = WorkerHost.Create(redis.ConnectionString, _shared.Path, Node, drainGraceSeconds: "4", heartbeatSeconds: "0.5");
        _ = _worker.Server; // starts the host: the node registers
    }

    public async ValueTask DisposeAsync()
    {
        await _worker.DisposeAsync();
        await _redis.DisposeAsync();
        _shared.Dispose();
    }

    [Fact]
    public async Task AssignedJob_Runs_RecordsExitCodeEnvAndLogs()
    {
        var id = await SubmitAndPlaceAsync("/bin/sh", "-c", "echo \"$ATLAS_JOB_ID $ATLAS_PROJECT\"; echo oops >&2; cat input.txt; touch \"$ATLAS_OUTPUT_DIR/model.bin\"; exit 3");

        var job = await WaitEndedAsync(id);

        job.State.ShouldBe(JobState.Failed);
        job.ExitCode.ShouldBe(3);
        job.Reason.ShouldBe("exited with code 3");
        job.Node.ShouldBe(Node);
        var logs = Path.Combine(_shared.Path, "jobs", id, "logs");
        File.ReadAllText(Path.Combine(logs, "stdout.log")).ShouldBe($"{id} demo\nfrom the bundle\n");
        File.ReadAllText(Path.Combine(logs, "stderr.log")).ShouldBe("oops\n");
        File.ReadAllText(Path.Combine(logs, "output.log")).Length.ShouldBe($"{id} demo\nfrom the bundle\noops\n".Length);
        File.Exists(Path.Combine(_shared.Path, "jobs", id, "artifacts", "model.bin")).ShouldBeTrue();
        (await _store.Reader.RouteAsync(id, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task AssignedJob_Runs_GoesThroughStartingAndRecordsClaimBeforeStart()
    {
        // The job's first act is to read the clock: it cannot have run before its node claimed it.
        var id = await SubmitAndPlaceAsync("date", "+%s%3N");

        var job = await WaitEndedAsync(id);

        job.State.ShouldBe(JobState.Succeeded);
        job.History.Select(h => h.State).ShouldBe([JobState.Queued, JobState.Assigned, JobState.Starting, JobState.Running, JobState.Succeeded]);
        var ran = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(File.ReadAllText(Path.Combine(_shared.Path, "jobs", id, "logs", "stdout.log")).Trim(), System.Globalization.CultureInfo.InvariantCulture));
        var claimed = job.ClaimedAt.ShouldNotBeNull();
        var started = job.StartedAt.ShouldNotBeNull();
        claimed.ShouldBeLessThanOrEqualTo(started);
        started.ShouldBeLessThanOrEqualTo(job.FinishedAt.ShouldNotBeNull());
        ran.ShouldBeGreaterThanOrEqualTo(claimed); // Redis's clock and the job's: one machine, millisecond resolution
    }

    [Fact]
    public async Task AssignedJob_Traced_ProcessSeesTraceparentOfItsRunSpan()
    {
        var runs = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == Atlas.Core.AtlasTelemetry.ActivitySourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => runs.Enqueue(a),
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

        var id = await SubmitTracedAndPlaceAsync($"00-{traceId}-00f067aa0ba902b7-01", "/bin/sh", "-c", "echo \"$TRACEPARENT\"");

        var job = await WaitEndedAsync(id);
        job.State.ShouldBe(JobState.Succeeded);
        job.TraceId.ShouldBe(traceId);
        var seen = File.ReadAllText(Path.Combine(_shared.Path, "jobs", id, "logs", "stdout.log")).Trim();
        seen.ShouldStartWith($"00-{traceId}-");
        var run = runs.Single(a => a.OperationName == "job.run" && (string?)a.GetTagItem("atlas.job.id") == id);
        seen.ShouldBe(run.Id);
    }

    [Fact]
    public async Task RunningJob_Stopped_IsCancelled()
    {
        var id = await SubmitAndPlaceAsync("/bin/sh", "-c", "echo started; sleep 60");
        await WaitForAsync(async () => (await _store.Reader.GetAsync(id, Ct))!.View.State == JobState.Running);

        (await _store.Master.StopAsync(id, Ct)).Kind.ShouldBe(StopKind.Stopping);

        var job = await WaitEndedAsync(id);
        job.State.ShouldBe(JobState.Cancelled);
        job.Reason.ShouldBe("stopped by user");
    }

    [Fact]
    public async Task MissingProgram_FailsWithReason()
    {
        var id = await SubmitAndPlaceAsync("/no/such/program");

        var job = await WaitEndedAsync(id);

        job.State.ShouldBe(JobState.Failed);
        job.ExitCode.ShouldBeNull();
        job.Reason!.ShouldContain("/no/such/program");
    }

    [Fact]
    public async Task Logs_FollowOnWorker_StreamsUntilJobEnds()
    {
        var id = await SubmitAndPlaceAsync("/bin/sh", "-c", "echo one; sleep 1; echo two");
        await WaitForAsync(async () => (await _store.Reader.GetAsync(id, Ct))!.View.State == JobState.Running);
        using var client = _worker.CreateClient();

        var log = await client.GetStringAsync($"/api/v1/jobs/{id}/logs?follow=true", Ct);

        log.ShouldBe("one\ntwo\n");
        (await _store.Reader.GetAsync(id, Ct))!.View.State.ShouldBe(JobState.Succeeded);
    }

    [Fact]
    public async Task Drain_JobOutlastsGrace_IsRequeuedNotFailedAndNodeGoesDown()
    {
        var quick = await SubmitAndPlaceAsync("/bin/sh", "-c", "sleep 0.2; echo done");
        var slow = await SubmitAndPlaceAsync("/bin/sh", "-c", "sleep 60");
        await WaitForAsync(async () => (await _store.Reader.GetAsync(slow, Ct))!.View.State == JobState.Running);

        var draining = Task.Run(() => _worker.DisposeAsync().AsTask(), Ct);
        await WaitForAsync(async () => (await _store.Reader.ListNodesAsync(Ct)).Single().State == NodeState.Draining);
        await draining;

        (await _store.Reader.GetAsync(quick, Ct))!.View.State.ShouldBe(JobState.Succeeded);
        var requeued = (await _store.Reader.GetAsync(slow, Ct))!.View;
        requeued.State.ShouldBe(JobState.Queued);
        requeued.Attempt.ShouldBe(2);
        requeued.History.Last().Reason.ShouldBe($"requeued: node {Node} drained");
        (await _store.Reader.ListNodesAsync(Ct)).Single().State.ShouldBe(NodeState.Down);
        (await _store.Reader.RouteAsync(slow, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task RunningJob_LeaseLapsedAndPlacedElsewhere_ProcessKilledAndNothingWritten()
    {
        var pidFile = Path.Combine(_shared.Path, "job.pid");
        var id = await SubmitAndPlaceAsync("/bin/sh", "-c", $"echo $$ > '{pidFile}'; echo first; while true; do sleep 0.2; echo more; done");
        await WaitForAsync(async () => File.Exists(pidFile) && (await _store.Reader.GetAsync(id, Ct))!.View.State == JobState.Running);
        var pid = int.Parse(await File.ReadAllTextAsync(pidFile, Ct), System.Globalization.CultureInfo.InvariantCulture);

        // The master's view: the lease lapsed (the node looked cut off), the job went back to the
        // queue and was placed on another node, which now owns it under a new token.
        // (A heartbeat landing between the two steps renews the lease: then lapse it again.)
        await WaitForAsync(async () =>
        {
            await _redis.GetDatabase().SortedSetAddAsync(RedisKeys.Leases, id, 0);
            return await _store.Master.ReapAsync(10, maxAttempts: 3, _epoch, Ct) == 1;
        });
        // One slot: placement fits best (least left over), so the job goes there rather than back.
        await _store.Worker.RegisterNodeAsync(new NodeRegistration("other", "http://127.0.0.1:2", "process", 1), TimeSpan.FromMinutes(1), Ct);
        (await _store.Master.PlaceAsync(10, TimeSpan.FromMinutes(1), _epoch, Ct)).Select(p => (p.Id, p.Node)).ShouldBe([(id, "other")]);
        var owner = await _store.Reader.GetAsync(id, Ct);

        await WaitForAsync(() => Task.FromResult(!Directory.Exists($"/proc/{pid}")));
        await WaitForAsync(async () => (await _store.Reader.ListNodesAsync(Ct)).Single(n => n.Name == Node).Running == 0);
        var log = Path.Combine(_shared.Path, "jobs", id, "logs", "output.log");
        var length = new FileInfo(log).Length;
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);

        var job = await _store.Reader.GetAsync(id, Ct);
        job!.View.State.ShouldBe(JobState.Assigned);
        job.View.Node.ShouldBe("other");
        job.Fence.ShouldBe(owner!.Fence);
        job.View.History.ShouldNotContain(h => JobStateMachine.IsTerminal(h.State));
        new FileInfo(log).Length.ShouldBe(length);
    }

    private Task<string> SubmitAndPlaceAsync(params string[] command) => SubmitTracedAndPlaceAsync(traceParent: null, command);

    private async Task<string> SubmitTracedAndPlaceAsync(string? traceParent, params string[] command)
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        var work = Path.Combine(_shared.Path, "jobs", id, "work");
        Directory.CreateDirectory(work);
        await File.WriteAllTextAsync(Path.Combine(work, "input.txt"), "from the bundle\n", Ct);
        await _store.Master.SubmitAsync(id, new JobSpec { Command = command, Project = "demo" }, JobOwner.Local, traceParent, null, Ct);
        await WaitForAsync(async () => (await _store.Master.PlaceAsync(10, TimeSpan.FromSeconds(15), _epoch, Ct)).Count > 0);
        return id;
    }

    private Task<JobView> WaitEndedAsync(string id) => JobWaits.WaitEndedAsync(_store.Reader, id, Ct);

    private static Task WaitForAsync(Func<Task<bool>> condition) => JobWaits.WaitForAsync(condition, Ct);
}
