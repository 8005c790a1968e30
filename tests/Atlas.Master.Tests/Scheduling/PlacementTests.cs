using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.Master.Tests.Scheduling;

/// <summary>
/// The real master's scheduler on a real redis-server. Nodes are records with declared resources
/// (<see cref="FakeNodes"/>) and the test plays their workers (claim, start, complete), so the
/// order in which jobs start is the scheduler's alone.
/// </summary>
public sealed class PlacementTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private ConnectionMultiplexer _connection = null!;
    private JobStores _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _connection = await redis.ConnectEmptyAsync();
        _store = new JobStores(_connection);
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task Submit_MoreGpusThanAnyNode_Is400NamingTheResourceAndTheLargestNode()
    {
        await using var master = new MasterFactory(redis);
        using var client = master.CreateClient();
        await FakeNodes.RegisterAsync(_connection, "worker-1", slots: 4, gpus: 1, cancellationToken: Ct);
        await FakeNodes.RegisterAsync(_connection, "worker-3", slots: 4, gpus: 2, cancellationToken: Ct);

        using var response = await client.PostAsync("/api/v1/jobs", Body("""{"command":["true"],"resources":{"gpus":4}}"""), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var detail = problem.GetProperty("errors").GetProperty("resources.gpus")[0].GetString();
        detail.ShouldBe("The job asks for 4 GPUs; the largest node, worker-3, has 2.");
        (await _connection.GetDatabase().SortedSetLengthAsync(RedisKeys.Jobs)).ShouldBe(0);
    }

    [Fact]
    public async Task Submit_MoreMemoryThanAnyNode_Is400()
    {
        await using var master = new MasterFactory(redis);
        using var client = master.CreateClient();
        await FakeNodes.RegisterAsync(_connection, "worker-1", slots: 4, memoryBytes: 4L << 30, cancellationToken: Ct);

        using var response = await client.PostAsync("/api/v1/jobs", Body("""{"command":["true"],"resources":{"memoryBytes":8589934592}}"""), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("the largest node, worker-1, has 4g");
    }

    [Fact]
    public async Task Leader_JobQueuedByAnOlderVersion_IsRepairedIntoItsOwnersQueueAndPlaced()
    {
        // As a version before per-owner queues left it: the job's record and the queue of all jobs only.
        var id = JobId.New(DateTimeOffset.UtcNow);
        await _store.Master.SubmitAsync(id, new JobSpec { Command = ["true"] }, JobOwner.Local, null, null, Ct);
        var db = _connection.GetDatabase();
        await db.SortedSetRemoveAsync($"atlas:queue:owner:{JobOwner.Local.Subject}", id);
        await db.SetRemoveAsync("atlas:queue:owners", JobOwner.Local.Subject);
        await FakeNodes.RegisterAsync(_connection, "worker-1", slots: 1, cancellationToken: Ct);

        await using var master = new MasterFactory(redis);
        using var client = master.CreateClient();

        (await WaitForAsync(async () => (await GetAsync(client, id)).State == JobState.Assigned)).ShouldBeTrue();
    }

    [Fact]
    public async Task Submit_NoNodesYet_IsQueuedWithTheReasonNoNodes()
    {
        await using var master = new MasterFactory(redis);
        using var client = master.CreateClient();

        using var response = await client.PostAsync("/api/v1/jobs", Body("""{"command":["true"],"resources":{"gpus":8}}"""), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, Ct))!.Id;
        (await WaitForAsync(async () => (await GetAsync(client, id)).WaitReason == "no nodes")).ShouldBeTrue();
        var queue = await client.GetFromJsonAsync<QueueView>("/api/v1/queue", AtlasJson.Options, Ct);
        queue!.Yours.Single().WaitReason.ShouldBe("no nodes");
    }

    /// <summary>
    /// The scripted sequence, on n1 (4 GPUs) and c1 (no GPU); each step waits for the scheduler:
    /// 1. alice's hold (2 GPUs, 60 s limit) starts on n1.
    /// 2. alice's big (4 GPUs) cannot fit: it waits, and n1 is reserved for it.
    /// 3. bob's short (1 GPU, 10 s limit) starts on n1: it ends before big could start.
    /// 4. bob's long (1 GPU, no limit) waits: it could delay big.
    /// 5. bob's cpu (no GPU) starts on c1 at once: nothing ahead blocks it.
    /// 6. hold and short end: big starts with all 4 GPUs; long still waits.
    /// 7. big ends: long starts.
    /// Expected start order: hold, short, cpu, big, long.
    /// </summary>
    [Fact]
    public async Task Scheduler_ScriptedSequence_NoHeadOfLineBlockingAndNoStarvation()
    {
        await using var master = new MasterFactory(redis);
        using var client = master.CreateClient();
        await FakeNodes.RegisterAsync(_connection, "n1", slots: 8, gpus: 4, cancellationToken: Ct);
        await FakeNodes.RegisterAsync(_connection, "c1", slots: 8, cancellationToken: Ct);
        var started = new List<string>();

        var hold = await Submit("alice", gpus: 2, timeLimitSeconds: 60);
        await StartAsync(hold, started);
        var big = await Submit("alice", gpus: 4);
        (await WaitForAsync(async () => (await Reason(big))?.Contains("n1 is reserved for it") == true)).ShouldBeTrue(await Reason(big));
        var shortJob = await Submit("bob", gpus: 1, timeLimitSeconds: 10);
        await StartAsync(shortJob, started);
        var longJob = await Submit("bob", gpus: 1);
        (await WaitForAsync(async () => (await Reason(longJob))?.StartsWith($"fits on n1, but n1 is reserved for job {big}") == true)).ShouldBeTrue(await Reason(longJob));
        var cpu = await Submit("bob");
        await StartAsync(cpu, started);
        (await Node(cpu)).ShouldBe("c1");

        await FinishAsync(hold);
        await FinishAsync(shortJob);
        await StartAsync(big, started);
        (await _store.Reader.GetAsync(big, Ct))!.View.GpuIds.Order().ShouldBe(["0", "1", "2", "3"]);
        (await Reason(longJob)).ShouldNotBeNull().ShouldStartWith("needs 1 GPU; none is free");
        await FinishAsync(big);
        await StartAsync(longJob, started);

        started.ShouldBe([hold, shortJob, cpu, big, longJob]);
    }

    [Fact]
    public async Task Scheduler_TwoUsers_LeastRecentUsageFirst()
    {
        await SeedUsageAsync(("alice", 10_000)); // before the master starts: only the leader writes usage
        await using var master = new MasterFactory(redis);
        using var client = master.CreateClient();
        var alice = new[] { await Submit("alice"), await Submit("alice") };
        var bob = new[] { await Submit("bob"), await Submit("bob") };
        await FakeNodes.RegisterAsync(_connection, "n1", slots: 2, cancellationToken: Ct);

        // bob has used less: both slots go to him although alice submitted first.
        var first = await PlacedAsync(2);
        first.ShouldBe(bob, ignoreOrder: true);
        foreach (var id in alice)
        {
            (await Reason(id)).ShouldNotBeNull().ShouldStartWith("needs a free slot");
        }
    }

    [Fact]
    public async Task Scheduler_TwoUsersEqualUsage_ShareTheNode()
    {
        await using var master = new MasterFactory(redis);
        using var client = master.CreateClient();
        var alice = new[] { await Submit("alice"), await Submit("alice") };
        var bob = new[] { await Submit("bob"), await Submit("bob") };
        await FakeNodes.RegisterAsync(_connection, "n1", slots: 2, cancellationToken: Ct);

        (await PlacedAsync(2)).ShouldBe([alice[0], bob[0]], ignoreOrder: true);
    }

    [Fact]
    public async Task Scheduler_UserLimits_HoldJobsBackWithTheLimitAsReason_AndTheQueueShowsThem()
    {
        await using var master = new MasterFactory(redis);
        using var configured = master.WithWebHostBuilder(b => b
            .UseSetting("Atlas:Scheduling:MaxRunningJobsPerUser", "8")
            .UseSetting($"Atlas:Scheduling:Users:{JobOwner.Local.Username}:MaxRunningJobs", "1")
            .UseSetting("Atlas:Scheduling:MaxGpusPerUser", "4"));
        using var client = configured.CreateClient();
        await FakeNodes.RegisterAsync(_connection, "n1", slots: 8, cancellationToken: Ct);

        var first = await SubmitHttpAsync(client, """{"command":["true"]}""");
        var second = await SubmitHttpAsync(client, """{"command":["true"]}""");

        (await WaitForAsync(async () => (await GetAsync(client, second)).WaitReason == "your limit of 1 running job")).ShouldBeTrue((await GetAsync(client, second)).WaitReason);
        (await GetAsync(client, first)).State.ShouldBe(JobState.Assigned);
        var queue = await client.GetFromJsonAsync<QueueView>("/api/v1/queue", AtlasJson.Options, Ct);
        queue!.Limits.ShouldBe(new QueueLimits(1, 4, 1, 0, "fair"));
        queue.Yours.Single().WaitReason.ShouldBe("your limit of 1 running job");
    }

    [Theory]
    [InlineData("fair", true)]
    [InlineData("fifo", false)]
    public async Task Scheduler_PolicySwitch_FifoLetsTheBigJobBlockTheSmallOne(string policy, bool smallRuns)
    {
        await using var master = new MasterFactory(redis);
        using var configured = master.WithWebHostBuilder(b => b.UseSetting("Atlas:Scheduling:Policy", policy));
        using var client = configured.CreateClient();
        await FakeNodes.RegisterAsync(_connection, "n1", slots: 8, gpus: 2, cancellationToken: Ct);
        var started = new List<string>();
        var hold = await Submit("alice", gpus: 1);
        await StartAsync(hold, started);
        var big = await Submit("alice", gpus: 2);
        var small = await Submit("alice");

        if (smallRuns)
        {
            await StartAsync(small, started);
            (await Reason(big)).ShouldNotBeNull().ShouldStartWith("needs 2 GPUs; the largest free is 1 on n1");
        }
        else
        {
            var expected = $"behind job {big}, which waits for resources (first in, first out)";
            (await WaitForAsync(async () => await Reason(small) == expected)).ShouldBeTrue(await Reason(small));
            (await _store.Reader.StateAsync(small, Ct)).ShouldBe(JobState.Queued);
        }
    }

    [Fact]
    public async Task Start_BadSchedulingSetting_FailsNamingIt()
    {
        await using var master = new MasterFactory(redis);
        using var configured = master.WithWebHostBuilder(b => b.UseSetting("Atlas:Scheduling:MaxGpusPerUser", "-1"));

        Should.Throw<Microsoft.Extensions.Options.OptionsValidationException>(() => configured.Server).Message
            .ShouldContain("Atlas:Scheduling:MaxGpusPerUser must be 0 (no limit) or more (is -1)");
    }

    private async Task SeedUsageAsync(params (string Owner, double Usage)[] usage)
    {
        var time = (RedisResult[])(await _connection.GetDatabase().ExecuteAsync("TIME"))!;
        var entries = usage.Select(u => new HashEntry(u.Owner, u.Usage)).Append(new HashEntry("@at", (long)time[0] * 1000)).ToArray();
        await _connection.GetDatabase().HashSetAsync(RedisKeys.Usage, entries);
    }

    private async Task<string> Submit(string owner, int gpus = 0, int? timeLimitSeconds = null)
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        var spec = new JobSpec { Command = ["true"], Resources = new JobResources { Gpus = gpus }, TimeLimitSeconds = timeLimitSeconds };
        await _store.Master.SubmitAsync(id, spec, new JobOwner(owner, owner), null, null, Ct);
        await Task.Delay(2, Ct);
        return id;
    }

    private async Task<IReadOnlyList<string>> PlacedAsync(int count)
    {
        IReadOnlyList<string> placed = [];
        await WaitForAsync(async () =>
        {
            placed = (await _connection.GetDatabase().SortedSetRangeByRankAsync(RedisKeys.Leases)).Select(v => (string)v!).ToList();
            return placed.Count >= count;
        });
        return placed;
    }

    // Plays the node's worker: waits until the scheduler assigns the job, then claims and starts it.
    private async Task StartAsync(string id, List<string> started)
    {
        (await WaitForAsync(async () => await _store.Reader.StateAsync(id, Ct) == JobState.Assigned)).ShouldBeTrue($"{id} was not placed: {await Reason(id)}");
        var node = (await Node(id))!;
        await _store.ClaimAndStartAsync(id, node, Lease, Ct);
        started.Add(id);
    }

    private async Task FinishAsync(string id)
    {
        var record = (await _store.Reader.GetAsync(id, Ct))!;
        (await _store.Worker.CompleteAsync(id, record.View.Node!, record.Fence, JobState.Succeeded, 0, null, Ct)).ShouldBe(CompleteOutcome.Done);
    }

    private async Task<string?> Reason(string id) => (await _store.Reader.GetAsync(id, Ct, withHistory: false))?.View.WaitReason;

    private async Task<string?> Node(string id) => (await _store.Reader.GetAsync(id, Ct, withHistory: false))?.View.Node;

    private static async Task<JobView> GetAsync(HttpClient client, string id) =>
        (await client.GetFromJsonAsync<JobView>($"/api/v1/jobs/{id}", AtlasJson.Options, Ct))!;

    private static async Task<string> SubmitHttpAsync(HttpClient client, string spec)
    {
        using var response = await client.PostAsync("/api/v1/jobs", Body(spec), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, Ct))!.Id;
    }

    private static MultipartFormDataContent Body(string spec) => JobUpload.Multipart(spec, JobUpload.Bundle(("main.py", "print(1)")));

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(25, Ct);
        }
        return await condition();
    }
}
