using System.Diagnostics;
using System.Globalization;
using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;

namespace Atlas.Worker.Tests.Execution;

/// <summary>
/// A worker that starts again after a crash (process runtime): what its earlier life left
/// running is killed and the job goes back to the queue at once; nothing else is touched.
/// The earlier life is staged by hand: the store says the job runs on this node, and a real
/// process carrying the job's id stands in for the orphaned job.
/// </summary>
public sealed class WorkerRestartTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string Node = "restart-node";
    private readonly TempFolder _shared = new("atlas-shared");
    private ConnectionMultiplexer _redis = null!;
    private JobStores _store = null!;
    private readonly List<Process> _processes = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _redis = await redis.ConnectEmptyAsync();
        _store = new JobStores(_redis);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            process.Dispose();
        }
        await _redis.DisposeAsync();
        _shared.Dispose();
    }

    [Fact]
    public async Task Start_JobRunningFromEarlierLife_KillsItsProcessAndRequeuesIt()
    {
        var id = await StageRunningJobAsync();
        var orphan = StartSleep(("ATLAS_JOB_ID", id));
        WritePidFile(id, orphan.Id);
        var stranger = StartSleep(); // a process whose pid the file might have been reused for

        await using (var worker = StartWorker())
        {
            _ = worker.Server;

            await orphan.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
            var job = await WaitQueuedAsync(id);
            job.Attempt.ShouldBe(2);
            job.History.Last().Reason.ShouldBe($"requeued: node {Node} restarted");
            stranger.HasExited.ShouldBeFalse();
        }
    }

    [Fact]
    public async Task Start_PidFileOfUnrelatedProcess_LeavesItAlone()
    {
        var id = await StageRunningJobAsync();
        var stranger = StartSleep();
        WritePidFile(id, stranger.Id);

        await using var worker = StartWorker();
        _ = worker.Server;

        (await WaitQueuedAsync(id)).State.ShouldBe(JobState.Queued);
        stranger.HasExited.ShouldBeFalse();
    }

    [Fact]
    public async Task Start_EarlierLifesJobPlacedElsewhereMeanwhile_KillsItsProcessAndLeavesOthers()
    {
        // The worker was down longer than the lease: the master requeued the job and placed it on
        // another node, so the store no longer lists it here, but its first attempt still runs.
        var id = JobId.New(DateTimeOffset.UtcNow);
        var output = Path.Combine(_shared.Path, "jobs", id, "artifacts");
        var orphan = StartSleep(("ATLAS_JOB_ID", id), ("ATLAS_NODE", Node), ("ATLAS_OUTPUT_DIR", output));
        var otherNode = StartSleep(("ATLAS_JOB_ID", id), ("ATLAS_NODE", "other-node"), ("ATLAS_OUTPUT_DIR", output));
        var otherCluster = StartSleep(("ATLAS_JOB_ID", id), ("ATLAS_NODE", Node), ("ATLAS_OUTPUT_DIR", "/elsewhere/jobs/" + id + "/artifacts"));

        await using var worker = StartWorker();
        _ = worker.Server;

        await orphan.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        otherNode.HasExited.ShouldBeFalse();
        otherCluster.HasExited.ShouldBeFalse();
    }

    // The node settles what its earlier life left as soon as it has registered, in the background.
    private async Task<Core.Jobs.JobView> WaitQueuedAsync(string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var job = (await _store.Reader.GetAsync(id, Ct))!.View;
            if (job.State == JobState.Queued || DateTime.UtcNow > deadline)
            {
                return job;
            }
            await Task.Delay(50, Ct);
        }
    }

    private async Task<string> StageRunningJobAsync()
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        Directory.CreateDirectory(Path.Combine(_shared.Path, "jobs", id, "work"));
        await _store.Master.SubmitAsync(id, new JobSpec { Command = ["sleep", "300"] }, JobOwner.Local, null, null, Ct);
        var lease = TimeSpan.FromMinutes(5);
        await _store.Worker.RegisterNodeAsync(new NodeRegistration(Node, "http://127.0.0.1:1", "process", 2), lease, Ct);
        var epoch = await _store.Master.LeadAsync("test-master", lease, Ct);
        (await _store.Master.PlaceAsync(10, lease, epoch, Ct)).Count.ShouldBe(1);
        await _store.ClaimAndStartAsync(id, Node, lease, Ct);
        return id;
    }

    private void WritePidFile(string id, int pid) =>
        File.WriteAllText(Path.Combine(_shared.Path, "jobs", id, "pid"), pid.ToString(CultureInfo.InvariantCulture));

    private Process StartSleep(params (string Key, string Value)[] environment)
    {
        var info = new ProcessStartInfo("sleep", "300") { UseShellExecute = false };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info)!;
        _processes.Add(process);
        return process;
    }

    private WebApplicationFactory<Program> StartWorker() => WorkerHost.Create(redis.ConnectionString, _shared.Path, Node, drainGraceSeconds: "1");
}
