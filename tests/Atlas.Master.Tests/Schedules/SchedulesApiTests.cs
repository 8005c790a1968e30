using System.Globalization;
using System.Net;
using System.Text.Json;
using Atlas.Core.Jobs;
using Atlas.Core.Schedules;
using Atlas.Core.Storage;
using Atlas.Master.Schedules;
using Atlas.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;

namespace Atlas.Master.Tests.Schedules;

/// <summary>
/// The real master (in-process, real redis-server, temp shared volume) in single-user mode:
/// schedules are added, listed, paused, resumed and removed through the API, their ticks submit
/// jobs through the submit path, and bad input is a 400 naming the field that stores nothing.
/// </summary>
public sealed class SchedulesApiTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private MasterFactory _master = null!;
    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _client = null!;
    private ConnectionMultiplexer _redis = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _redis = await redis.ConnectEmptyAsync();
        _master = new MasterFactory(redis);
        _factory = _master.WithWebHostBuilder(b => b.UseSetting("Atlas:Master:Schedules:CheckIntervalSeconds", "0.2"));
        _client = _factory.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _master.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task AddSchedule_Valid_StoresBundleAndSpecAndListsNextRun()
    {
        var before = DateTimeOffset.UtcNow;

        var added = await _client.AddScheduleAsync(ScheduleCalls.AddBody("0 3 * * *", """{"command":["sh","run.sh"],"project":"nightly"}""", name: "nightly"), null, Ct);

        added.Name.ShouldBe("nightly");
        added.Cron.ShouldBe("0 3 * * *");
        added.TimeZone.ShouldBe("UTC");
        added.Paused.ShouldBeFalse();
        added.NextRunAt!.Value.ShouldBeGreaterThan(before);
        added.NextRunAt.Value.UtcDateTime.TimeOfDay.ShouldBe(TimeSpan.FromHours(3));
        (added.NextRunAt.Value - before).ShouldBeLessThanOrEqualTo(TimeSpan.FromDays(1));
        added.LastJobId.ShouldBeNull();
        var folder = Path.Combine(_master.Shared.Path, "schedules", added.Id);
        File.Exists(Path.Combine(folder, "bundle.tar.gz")).ShouldBeTrue();
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "spec.json"))).RootElement.GetProperty("project").GetString().ShouldBe("nightly");

        using var list = await _client.GetAsync("/api/v1/schedules", Ct);
        var schedules = await list.ReadAsync<List<ScheduleView>>(Ct);
        schedules.Single().Id.ShouldBe(added.Id);
        schedules.Single().Spec.Command.ShouldBe(["sh", "run.sh"]);
        using var byName = await _client.GetAsync("/api/v1/schedules/nightly", Ct);
        (await byName.ReadAsync<ScheduleView>(Ct)).Id.ShouldBe(added.Id);
    }

    [Fact]
    public async Task AddSchedule_TimeZone_NextRunIsInThatZone()
    {
        var added = await _client.AddScheduleAsync(ScheduleCalls.AddBody("0 3 * * *", timeZone: "Asia/Tokyo"), null, Ct);

        added.TimeZone.ShouldBe("Asia/Tokyo");
        added.NextRunAt!.Value.UtcDateTime.TimeOfDay.ShouldBe(TimeSpan.FromHours(18)); // 03:00 in Tokyo (UTC+9, no DST)
    }

    [Fact]
    public async Task Tick_EverySecond_SubmitsJobsThroughTheSubmitPathOncePerTick()
    {
        var added = await _client.AddScheduleAsync(ScheduleCalls.AddBody("* * * * * *", """{"command":["sh","run.sh"],"tags":{"kind":"nightly"}}"""), null, Ct);

        var jobs = await ScheduleCalls.EventuallyAsync(() => _client.JobsOfAsync(added.Id, Ct), j => j.Count >= 3, TimeSpan.FromSeconds(20), "three ticks", Ct);

        var job = jobs[0];
        job.State.ShouldBe(JobState.Queued);
        job.Tags["kind"].ShouldBe("nightly");
        File.ReadAllText(Path.Combine(_master.Shared.Path, "jobs", job.Id, "work", "run.sh")).ShouldBe("echo hi");
        File.Exists(Path.Combine(_master.Shared.Path, "jobs", job.Id, "spec.json")).ShouldBeTrue();
        jobs.GroupBy(j => j.Tags[ScheduledSpec.TickTag]).ShouldAllBe(g => g.Count() == 1);
        foreach (var j in jobs)
        {
            j.Id.ShouldBe(JobId.ForTick(added.Id, DateTimeOffset.Parse(j.Tags[ScheduledSpec.TickTag], CultureInfo.InvariantCulture)));
        }
        (await _client.PostAsync($"/api/v1/schedules/{added.Id}/pause", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await ScheduleCalls.SettledAsync(_redis, added.Id, Ct);
        var view = (await ListAsync()).Single();
        view.LastJobId.ShouldBe((await _client.JobsOfAsync(added.Id, Ct)).MaxBy(j => j.Tags[ScheduledSpec.TickTag], StringComparer.Ordinal)!.Id);
        view.LastJobState.ShouldBe(JobState.Queued);
    }

    [Fact]
    public async Task Pause_NoMoreTicks_ResumeTicksAgain()
    {
        var added = await _client.AddScheduleAsync(ScheduleCalls.AddBody("* * * * * *", name: "often"), null, Ct);
        await ScheduleCalls.EventuallyAsync(() => _client.JobsOfAsync(added.Id, Ct), j => j.Count >= 1, TimeSpan.FromSeconds(20), "a first tick", Ct);

        using (var paused = await _client.PostAsync("/api/v1/schedules/often/pause", null, Ct))
        {
            paused.StatusCode.ShouldBe(HttpStatusCode.OK);
            var view = await paused.ReadAsync<ScheduleView>(Ct);
            view.Paused.ShouldBeTrue();
            view.NextRunAt.ShouldBeNull();
        }
        await ScheduleCalls.SettledAsync(_redis, added.Id, Ct); // a tick claimed just before the pause may still be submitting
        var atPause = (await _client.JobsOfAsync(added.Id, Ct)).Count;
        await Task.Delay(2500, Ct);
        (await _client.JobsOfAsync(added.Id, Ct)).Count.ShouldBe(atPause);

        using (var resumed = await _client.PostAsync($"/api/v1/schedules/{added.Id}/resume", null, Ct))
        {
            resumed.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await resumed.ReadAsync<ScheduleView>(Ct)).Paused.ShouldBeFalse();
        }
        await ScheduleCalls.EventuallyAsync(() => _client.JobsOfAsync(added.Id, Ct), j => j.Count > atPause, TimeSpan.FromSeconds(20), "a tick after resume", Ct);
    }

    [Fact]
    public async Task Remove_Schedule_GoneWithItsBundleJobsStay()
    {
        var added = await _client.AddScheduleAsync(ScheduleCalls.AddBody("* * * * * *", name: "gone"), null, Ct);
        await ScheduleCalls.EventuallyAsync(() => _client.JobsOfAsync(added.Id, Ct), j => j.Count >= 1, TimeSpan.FromSeconds(20), "a first tick", Ct);

        using var removed = await _client.DeleteAsync("/api/v1/schedules/gone", Ct);

        removed.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await _client.GetAsync($"/api/v1/schedules/{added.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _client.DeleteAsync($"/api/v1/schedules/{added.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _client.PostAsync($"/api/v1/schedules/{added.Id}/pause", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        Directory.Exists(Path.Combine(_master.Shared.Path, "schedules", added.Id)).ShouldBeFalse();
        (await _client.JobsOfAsync(added.Id, Ct)).ShouldNotBeEmpty();
        // The name is free again.
        await _client.AddScheduleAsync(ScheduleCalls.AddBody("0 3 * * *", name: "gone"), null, Ct);
    }

    [Fact]
    public async Task AddSchedule_NameTaken_Is409()
    {
        await _client.AddScheduleAsync(ScheduleCalls.AddBody("0 3 * * *", name: "twice"), null, Ct);

        using var response = await _client.PostAsync("/api/v1/schedules", ScheduleCalls.AddBody("0 4 * * *", name: "twice"), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("name");
        (await ListAsync()).Count.ShouldBe(1);
        Directory.GetDirectories(Path.Combine(_master.Shared.Path, "schedules")).Length.ShouldBe(1);
    }

    [Theory]
    [InlineData("nonsense", null, null, """{"command":["true"]}""", "cron")]
    [InlineData("0 3 * *", null, null, """{"command":["true"]}""", "cron")]
    [InlineData("61 * * * *", null, null, """{"command":["true"]}""", "cron")]
    [InlineData("0 0 30 2 *", null, null, """{"command":["true"]}""", "cron")]
    [InlineData("", null, null, """{"command":["true"]}""", "cron")]
    [InlineData(null, null, null, """{"command":["true"]}""", "cron")]
    [InlineData("0 3 * * *", "Mars/Olympus_Mons", null, """{"command":["true"]}""", "timezone")]
    [InlineData("0 3 * * *", null, "bad name!", """{"command":["true"]}""", "name")]
    [InlineData("0 3 * * *", null, "0123456789abcdef", """{"command":["true"]}""", "name")]
    [InlineData("0 3 * * *", null, null, """{"command":[]}""", "command")]
    [InlineData("0 3 * * *", null, null, """{"command":["true"],"priority":1000}""", "priority")]
    [InlineData("0 3 * * *", null, null, """{"command":["true"],"priority":"high"}""", "priority")]
    [InlineData("0 3 * * *", null, null, "{not json", "spec")]
    [InlineData("0 3 * * *", null, null, null, "spec")]
    public async Task AddSchedule_BadInput_Is400NamingTheFieldAndStoresNothing(string? cron, string? zone, string? name, string? spec, string field)
    {
        using var response = await _client.PostAsync("/api/v1/schedules", ScheduleCalls.AddBody(cron, spec, name, zone), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        problem.RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.RootElement.ToString());
        await NothingStoredAsync();
    }

    [Fact]
    public async Task AddSchedule_NoBundleOrBadBundleOrNotMultipart_RefusedAndStoresNothing()
    {
        using (var response = await _client.PostAsync("/api/v1/schedules", ScheduleCalls.AddBody("0 3 * * *", withBundle: false), Ct))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("bundle");
        }
        using (var response = await _client.PostAsync("/api/v1/schedules", ScheduleCalls.AddBody("0 3 * * *", bundle: "not a gzip"u8.ToArray()), Ct))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("bundle");
        }
        using (var response = await _client.PostAsync("/api/v1/schedules", ScheduleCalls.AddBody("0 3 * * *", bundle: new byte[MasterFactory.MaxBundleBytes + 1]), Ct))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        }
        using (var response = await _client.PostAsync("/api/v1/schedules", new StringContent("""{"cron":"0 3 * * *"}"""), Ct))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        }
        await NothingStoredAsync();
    }

    [Fact]
    public async Task MissedTicks_NoLeaderForDays_OneCatchUpJobThenNextInTheFuture()
    {
        var added = await _client.AddScheduleAsync(ScheduleCalls.AddBody("0 3 * * *", name: "daily"), null, Ct);
        var missedSince = added.NextRunAt!.Value.AddDays(-3); // a 03:00 three days ago: three more were missed since
        var db = _redis.GetDatabase();
        var ms = missedSince.ToUnixTimeMilliseconds();
        await db.HashSetAsync(RedisKeys.Schedule(added.Id), "next", ms);
        await db.SortedSetAddAsync(RedisKeys.SchedulesDue, added.Id, ms);

        var jobs = await ScheduleCalls.EventuallyAsync(() => _client.JobsOfAsync(added.Id, Ct), j => j.Count >= 1, TimeSpan.FromSeconds(20), "the catch-up tick", Ct);
        await Task.Delay(1000, Ct);

        jobs = await _client.JobsOfAsync(added.Id, Ct);
        jobs.Count.ShouldBe(1);
        jobs[0].Id.ShouldBe(JobId.ForTick(added.Id, missedSince));
        var view = (await ListAsync()).Single();
        view.NextRunAt.ShouldBe(added.NextRunAt);
        view.LastTickAt.ShouldBe(missedSince);
    }

    [Fact]
    public async Task PendingTick_LeaderDiedBetweenClaimAndSubmit_SubmittedOnceUnderItsId()
    {
        // What a leader leaves when it dies after its claim and before its submit: the tick is
        // pending with its job id. Paused, so no further tick is claimed while this is checked.
        var added = await _client.AddScheduleAsync(ScheduleCalls.AddBody("0 3 * * *", name: "crashed"), null, Ct);
        await _client.PostAsync("/api/v1/schedules/crashed/pause", null, Ct);
        var tick = added.NextRunAt!.Value.AddDays(-1);
        var job = JobId.ForTick(added.Id, tick);
        var db = _redis.GetDatabase();
        await db.HashSetAsync(RedisKeys.Schedule(added.Id), [new("pendingJob", job), new("pendingTick", tick.ToUnixTimeMilliseconds()), new("lastJob", job)]);
        await db.SetAddAsync(RedisKeys.SchedulesPending, added.Id);

        await ScheduleCalls.EventuallyAsync(() => _client.JobsOfAsync(added.Id, Ct), j => j.Count >= 1, TimeSpan.FromSeconds(20), "the pending tick", Ct);
        await Task.Delay(1000, Ct);

        (await _client.JobsOfAsync(added.Id, Ct)).Select(j => j.Id).ShouldBe([job]);
        (await db.SetContainsAsync(RedisKeys.SchedulesPending, added.Id)).ShouldBeFalse();
        (await db.HashExistsAsync(RedisKeys.Schedule(added.Id), "pendingJob")).ShouldBeFalse();
        (await ListAsync()).Single().LastJobState.ShouldBe(JobState.Queued);
    }

    [Fact]
    public async Task SubmitFile_SameIdTwice_OneJobSecondIsAReplay()
    {
        // The seam a tick submits through: an id submitted again (a new leader finishing a tick) makes no second job.
        var added = await _client.AddScheduleAsync(ScheduleCalls.AddBody("0 3 * * *"), null, Ct);
        var submitter = _factory.Services.GetRequiredService<Atlas.Master.Submission.JobSubmitter>();
        var bundle = Path.Combine(_master.Shared.Path, "schedules", added.Id, "bundle.tar.gz");
        var id = JobId.ForTick(added.Id, added.NextRunAt!.Value);

        var first = await submitter.SubmitFileAsync(added.Spec, bundle, JobOwner.Local, id, Ct);
        var second = await submitter.SubmitFileAsync(added.Spec, bundle, JobOwner.Local, id, Ct);

        first.Job!.Id.ShouldBe(id);
        first.Replayed.ShouldBeFalse();
        second.Job!.Id.ShouldBe(id);
        second.Replayed.ShouldBeTrue();
        (await _redis.GetDatabase().ListLengthAsync(RedisKeys.History(id))).ShouldBe(1);
    }

    [Fact]
    public async Task SubmitFile_FolderMovedButNotRecorded_RecordsTheFolderAsItIs()
    {
        // A master that died between moving the job folder into place and recording the job:
        // the next try of the same id records that folder instead of failing on it.
        var added = await _client.AddScheduleAsync(ScheduleCalls.AddBody("0 3 * * *"), null, Ct);
        var submitter = _factory.Services.GetRequiredService<Atlas.Master.Submission.JobSubmitter>();
        var id = JobId.ForTick(added.Id, added.NextRunAt!.Value);
        var folder = Path.Combine(_master.Shared.Path, "jobs", id);
        Directory.CreateDirectory(Path.Combine(folder, "work"));
        File.WriteAllText(Path.Combine(folder, "work", "earlier.txt"), "from the first try");
        File.WriteAllText(Path.Combine(folder, "spec.json"), "{}");

        var result = await submitter.SubmitFileAsync(added.Spec, Path.Combine(_master.Shared.Path, "schedules", added.Id, "bundle.tar.gz"), JobOwner.Local, id, Ct);

        result.Job!.Id.ShouldBe(id);
        result.Replayed.ShouldBeFalse();
        File.ReadAllText(Path.Combine(folder, "work", "earlier.txt")).ShouldBe("from the first try");
        (await _client.GetAsync($"/api/v1/jobs/{id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private async Task<List<ScheduleView>> ListAsync()
    {
        using var list = await _client.GetAsync("/api/v1/schedules", Ct);
        return await list.ReadAsync<List<ScheduleView>>(Ct);
    }

    private async Task NothingStoredAsync()
    {
        (await ListAsync()).ShouldBeEmpty();
        var schedules = Path.Combine(_master.Shared.Path, "schedules");
        (Directory.Exists(schedules) ? Directory.GetFileSystemEntries(schedules) : []).ShouldBeEmpty();
        var uploads = Path.Combine(_master.Shared.Path, "uploads");
        (Directory.Exists(uploads) ? Directory.GetFileSystemEntries(uploads) : []).ShouldBeEmpty();
    }
}
