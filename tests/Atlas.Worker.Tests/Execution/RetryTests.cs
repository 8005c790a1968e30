using Atlas.Core.Jobs;
using Atlas.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;

namespace Atlas.Worker.Tests.Execution;

/// <summary>
/// Retries with the real worker host (process runtime) on a real redis-server: the job's real exit
/// code drives them. The test plays the master's part (placement) through the same store calls.
/// </summary>
public sealed class RetryTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string Node = "retry-node";
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
    public async Task Exit137_TwoRetriesOn137_RunsThreeAttemptsThenFails()
    {
        var id = await SubmitAsync(new JobSpec { Command = ["/bin/sh", "-c", "echo \"attempt $ATLAS_ATTEMPT\" >> \"$ATLAS_OUTPUT_DIR/../attempts.txt\"; exit 137"], Retries = 2, RetryOn = [137] });

        var job = await RunUntilEndedAsync(id);

        job.State.ShouldBe(JobState.Failed);
        job.ExitCode.ShouldBe(137);
        job.Attempt.ShouldBe(3);
        job.Retried.ShouldBe(2);
        job.FailedOn.ShouldBe([Node, Node]);
        job.History.Count(h => h.State == JobState.Running).ShouldBe(3);
        var retries = job.History.Where(h => h is { State: JobState.Queued, Reason: not null }).ToList();
        retries.Count.ShouldBe(2);
        retries.ShouldAllBe(h => h.Node == Node && h.Reason!.Contains("exit code 137"));
        File.ReadAllText(Path.Combine(_shared.Path, "jobs", id, "attempts.txt")).ShouldBe("attempt 1\nattempt 2\nattempt 3\n");
    }

    [Fact]
    public async Task Exit1_RetryOn137_FailsAtOnce()
    {
        var id = await SubmitAsync(new JobSpec { Command = ["/bin/sh", "-c", "exit 1"], Retries = 2, RetryOn = [137] });

        var job = await RunUntilEndedAsync(id);

        job.State.ShouldBe(JobState.Failed);
        job.ExitCode.ShouldBe(1);
        job.Attempt.ShouldBe(1);
        job.Retried.ShouldBe(0);
    }

    [Fact]
    public async Task FailsFirst_RetriedAttemptSucceeds()
    {
        // The first attempt fails; the second sees ATLAS_ATTEMPT=2 and a marker on the shared volume.
        var id = await SubmitAsync(new JobSpec
        {
            Command = ["/bin/sh", "-c", "if [ -f ../marker ]; then [ \"$ATLAS_ATTEMPT\" = 2 ] && exit 0; exit 9; fi; touch ../marker; exit 137"],
            Retries = 3,
        });

        var job = await RunUntilEndedAsync(id);

        job.State.ShouldBe(JobState.Succeeded);
        job.Attempt.ShouldBe(2);
        job.Retried.ShouldBe(1);
        job.FailedOn.ShouldBe([Node]);
    }

    private async Task<string> SubmitAsync(JobSpec spec)
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        Directory.CreateDirectory(Path.Combine(_shared.Path, "jobs", id, "work"));
        await _store.Master.SubmitAsync(id, spec, JobOwner.Local, null, null, Ct);
        return id;
    }

    /// <summary>Plays the master: places the job whenever it waits, until it ends.</summary>
    private async Task<JobView> RunUntilEndedAsync(string id)
    {
        JobView? job = null;
        await JobWaits.WaitForAsync(async () =>
        {
            await _store.Master.PlaceAsync(10, TimeSpan.FromSeconds(15), _epoch, Ct);
            job = (await _store.Reader.GetAsync(id, Ct))!.View;
            return JobStateMachine.IsTerminal(job.State);
        }, Ct);
        return job!;
    }
}
