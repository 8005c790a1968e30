using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Testing;

namespace Atlas.Master.Tests.Apis;

/// <summary>The group API on the real master (TestServer) and a real redis-server: atomic submits, summaries, lists, stops, dependencies.</summary>
public sealed class GroupsApiTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string SweepSpec = """{"command":["python","train.py","--lr","{lr}","--bs","{bs}"],"project":"vision"}""";
    private const string SweepGroup = """{"sweep":[{"name":"lr","values":["0.1","0.01"]},{"name":"bs","values":["32","64"]}]}""";

    private MasterFactory _factory = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        using (var connection = RedisConnector.Connect(redis.ConnectionString))
        {
            await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
        }
        _factory = new MasterFactory(redis);
        _client = _factory.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task SubmitGroup_Sweep_EveryCombinationQueuedWithItsCommandParamsAndFolder_BundleStoredOnce()
    {
        using var response = await _client.PostAsync("/api/v1/groups", Body(SweepSpec, SweepGroup), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        var group = (await response.Content.ReadFromJsonAsync<GroupView>(AtlasJson.Options, Ct))!;
        GroupId.IsValid(group.Id).ShouldBeTrue();
        group.Total.ShouldBe(4);
        group.JobIds.Count.ShouldBe(4);
        group.Counts["queued"].ShouldBe(4);
        var commands = new List<string>();
        foreach (var id in group.JobIds)
        {
            var job = (await _client.GetFromJsonAsync<JobView>($"/api/v1/jobs/{id}", AtlasJson.Options, Ct))!;
            job.State.ShouldBe(JobState.Queued);
            job.Group.ShouldBe(group.Id);
            job.Params["lr"].ShouldBe(job.Command[3]);
            job.Params["bs"].ShouldBe(job.Command[5]);
            commands.Add(string.Join(' ', job.Command));
            var dir = Path.Combine(_factory.Shared.Path, "jobs", id);
            File.ReadAllText(Path.Combine(dir, "work", "train.py")).ShouldBe("print(1)");
            Directory.Exists(Path.Combine(dir, "artifacts")).ShouldBeTrue();
            File.Exists(Path.Combine(dir, "bundle.tar.gz")).ShouldBeFalse();
            JsonSerializer.Deserialize<JobSpec>(File.ReadAllText(Path.Combine(dir, "spec.json")), AtlasJson.Options)!.Command.ShouldBe(job.Command);
        }
        commands.ShouldBe([
            "python train.py --lr 0.1 --bs 32", "python train.py --lr 0.1 --bs 64",
            "python train.py --lr 0.01 --bs 32", "python train.py --lr 0.01 --bs 64"]);
        var listed = (await _client.GetFromJsonAsync<List<JobView>>($"/api/v1/groups/{group.Id}/jobs", AtlasJson.Options, Ct))!;
        listed.Select(j => $"{j.Params["lr"]}/{j.Params["bs"]}").ShouldBe(["0.1/32", "0.1/64", "0.01/32", "0.01/64"]);
        File.Exists(Path.Combine(_factory.Shared.Path, "groups", group.Id, "bundle.tar.gz")).ShouldBeTrue();
        Entries("uploads").ShouldBeEmpty();
    }

    [Fact]
    public async Task SubmitGroup_Array_IndicesAsEnvironmentAndLimitRecorded()
    {
        var group = await SubmitGroupAsync("""{"command":["echo","{index}"]}""", """{"array":{"start":0,"end":9},"maxRunning":3}""");

        group.Total.ShouldBe(10);
        group.MaxRunning.ShouldBe(3);
        for (var i = 0; i < 10; i++)
        {
            var spec = JsonSerializer.Deserialize<JobSpec>(File.ReadAllText(Path.Combine(_factory.Shared.Path, "jobs", group.JobIds[i], "spec.json")), AtlasJson.Options)!;
            spec.Env[GroupExpander.ArrayIndexVariable].ShouldBe(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            spec.Command.ShouldBe(["echo", i.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
    }

    [Fact]
    public async Task SubmitGroup_OneJobInvalidAfterSubstitution_Is400NamingTheFieldAndWritesNothing()
    {
        // The second value makes the second job's argument longer than an argument may be; the first job alone would be fine.
        var longValue = new string('x', 20_000);
        using var response = await _client.PostAsync("/api/v1/groups",
            Body("""{"command":["x","{lr}{lr}"]}""", $$"""{"sweep":[{"name":"lr","values":["0.1","{{longValue}}"]}]}"""), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        problem.GetProperty("errors").GetProperty("command")[0].GetString()!.ShouldStartWith("job 2 of the group");
        await NothingWrittenAsync();
    }

    [Theory]
    [InlineData("""{"array":{"start":0,"end":10000}}""", "group")] // 10,001 jobs: over the default limit of 10,000
    [InlineData("""{"sweep":[{"name":"bad name","values":["1"]}]}""", "group.sweep")]
    [InlineData("""{"sweep":[{"name":"momentum","values":["1"]}]}""", "command")] // the command's {lr} names no swept parameter
    [InlineData("""{}""", "group")]
    [InlineData("""{"array":"0-9"}""", "group.array")]
    public async Task SubmitGroup_BadGroup_Is400NamingTheFieldAndWritesNothing(string groupJson, string field)
    {
        using var response = await _client.PostAsync("/api/v1/groups", Body("""{"command":["x","{lr}"]}""", groupJson), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        await NothingWrittenAsync();
    }

    [Fact]
    public async Task SubmitGroup_RedisWouldFailMidway_NothingRecordedAndNoFolderLeft()
    {
        using var connection = RedisConnector.Connect(redis.ConnectionString);
        var db = connection.GetDatabase();
        await db.StringSetAsync(RedisKeys.OwnerJobs(JobOwner.Local.Subject), "not a sorted set");
        try
        {
            using var response = await _client.PostAsync("/api/v1/groups", Body(SweepSpec, SweepGroup), Ct);

            response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
            (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("nothing was recorded");
            (await db.SortedSetLengthAsync(RedisKeys.Jobs)).ShouldBe(0);
            Entries("jobs").ShouldBeEmpty();
            Entries("groups").ShouldBeEmpty();
            Entries("uploads").ShouldBeEmpty();
        }
        finally
        {
            await db.KeyDeleteAsync(RedisKeys.OwnerJobs(JobOwner.Local.Subject));
        }
    }

    [Fact]
    public async Task SubmitGroup_ReplayedUnderTheSameKey_AnswersTheFirstGroupAndRecordsNoSecond()
    {
        async Task<HttpResponseMessage> PostAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/groups") { Content = Body(SweepSpec, SweepGroup) };
            request.Headers.Add("Idempotency-Key", "sweep-1");
            return await _client.SendAsync(request, Ct);
        }

        using var first = await PostAsync();
        using var again = await PostAsync();

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        var a = (await first.Content.ReadFromJsonAsync<GroupView>(AtlasJson.Options, Ct))!;
        (await again.Content.ReadFromJsonAsync<GroupView>(AtlasJson.Options, Ct))!.Id.ShouldBe(a.Id);
        Entries("jobs").Length.ShouldBe(4);
        Entries("groups").ShouldBe([Path.Combine(_factory.Shared.Path, "groups", a.Id)]);
    }

    [Fact]
    public async Task GroupSummaryListAndStop_CountsByStateJobsInOrderAllCancelled()
    {
        var group = await SubmitGroupAsync("""{"command":["echo","{index}"]}""", """{"array":{"start":0,"end":2}}""");

        var jobs = (await _client.GetFromJsonAsync<List<JobView>>($"/api/v1/groups/{group.Id}/jobs", AtlasJson.Options, Ct))!;
        jobs.Select(j => j.Id).ShouldBe(group.JobIds);
        using var stop = await _client.PostAsync($"/api/v1/groups/{group.Id}/stop", null, Ct);
        stop.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await stop.Content.ReadFromJsonAsync<GroupStopView>(AtlasJson.Options, Ct))!.Cancelled.ShouldBe(3);
        var summary = (await _client.GetFromJsonAsync<GroupView>($"/api/v1/groups/{group.Id}", AtlasJson.Options, Ct))!;
        summary.Counts.ShouldBe(new Dictionary<string, int> { ["cancelled"] = 3 });
        (await _client.GetAsync($"/api/v1/groups/g{JobId.New(DateTimeOffset.UtcNow)}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _client.GetAsync("/api/v1/groups/nonsense", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Submit_UnknownDependency_Is400NamingAfterAndTheIdAndWritesNothing()
    {
        var unknown = JobId.New(DateTimeOffset.UtcNow);
        using var single = await _client.PostAsync("/api/v1/jobs", JobUpload.Multipart($$"""{"command":["true"],"after":["{{unknown}}"]}""", Bundle()), Ct);
        using var group = await _client.PostAsync("/api/v1/groups", Body($$"""{"command":["echo","{index}"],"afterAny":["{{unknown}}"]}""", """{"array":{"start":0,"end":1}}"""), Ct);

        single.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        JsonDocument.Parse(await single.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors").GetProperty("after")[0].GetString()!.ShouldContain(unknown);
        group.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        JsonDocument.Parse(await group.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors").GetProperty("afterAny")[0].GetString()!.ShouldContain(unknown);
        await NothingWrittenAsync();
    }

    [Fact]
    public async Task SubmitGroup_After_EveryJobWaitsForTheDependency()
    {
        using var first = await _client.PostAsync("/api/v1/jobs", JobUpload.Multipart("""{"command":["true"]}""", Bundle()), Ct);
        var dep = (await first.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, Ct))!.Id;

        var group = await SubmitGroupAsync($$"""{"command":["echo","{index}"],"after":["{{dep}}"]}""", """{"array":{"start":0,"end":1}}""");

        foreach (var id in group.JobIds)
        {
            var job = (await _client.GetFromJsonAsync<JobView>($"/api/v1/jobs/{id}", AtlasJson.Options, Ct))!;
            job.State.ShouldBe(JobState.Queued);
            job.WaitingFor.ShouldBe([dep]);
        }
    }

    private async Task<GroupView> SubmitGroupAsync(string spec, string group)
    {
        using var response = await _client.PostAsync("/api/v1/groups", Body(spec, group), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<GroupView>(AtlasJson.Options, Ct))!;
    }

    private async Task NothingWrittenAsync()
    {
        Entries("jobs").ShouldBeEmpty();
        Entries("groups").ShouldBeEmpty();
        Entries("uploads").ShouldBeEmpty();
        using var connection = RedisConnector.Connect(redis.ConnectionString);
        (await connection.GetDatabase().SortedSetLengthAsync(RedisKeys.Jobs)).ShouldBe(0);
    }

    private string[] Entries(string folder)
    {
        var path = Path.Combine(_factory.Shared.Path, folder);
        return Directory.Exists(path) ? Directory.GetFileSystemEntries(path) : [];
    }

    private static byte[] Bundle() => JobUpload.Bundle(("train.py", "print(1)"));

    internal static MultipartFormDataContent Body(string spec, string group)
    {
        var content = JobUpload.Multipart(spec, Bundle());
        var part = new StringContent(group, Encoding.UTF8);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Add(part, "group");
        return content;
    }
}
