using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Tracking;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.Master.Tests.Tracking;

/// <summary>
/// The real master on a real redis-server serves what jobs reported: series (JSON and live
/// server-sent events), params and tags in job views, artifacts, and a project's runs. Reports are
/// written as the worker writes them (<see cref="JobReports"/>).
/// </summary>
public sealed class TrackingApiTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private MasterFactory _factory = null!;
    private HttpClient _client = null!;
    private ConnectionMultiplexer _redis = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _factory = new MasterFactory(redis);
        _client = _factory.CreateClient();
        _redis = await redis.ConnectEmptyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task GetMetrics_AfterReports_AgreedShapeAndNamesFilter()
    {
        var job = await SubmitAsync("""{"command":["true"],"project":"vision"}""");
        await JobReports.WriteAsync(_redis, job.Id, 0, 1_733_000_000_000,
            """{"metric":"loss","value":0.9,"step":1}""", """{"metric":"loss","value":0.31}""", """{"metric":"acc","value":0.5,"step":1}""", "garbage", """{"metric":"acc","value":NaN}""");

        var root = JsonDocument.Parse(await _client.GetStringAsync($"/api/v1/jobs/{job.Id}/metrics", Ct)).RootElement;

        root.GetProperty("jobId").GetString().ShouldBe(job.Id);
        root.GetProperty("skippedLines").GetInt64().ShouldBe(1);
        root.GetProperty("rejectedValues").GetInt64().ShouldBe(1);
        var loss = root.GetProperty("series").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "loss");
        loss.GetProperty("steps").ToString().ShouldBe("[1,null]");
        loss.GetProperty("values").ToString().ShouldBe("[0.9,0.31]");
        loss.GetProperty("times").ToString().ShouldBe("[1733000000000,1733000000000]");
        var only = await _client.GetFromJsonAsync<MetricsView>($"/api/v1/jobs/{job.Id}/metrics?names=acc", AtlasJson.Options, Ct);
        only!.Series.Select(s => s.Name).ShouldBe(["acc"]);
    }

    [Fact]
    public async Task GetMetrics_EventStreamFromCursor_SendsOnlyNewPointsAndEndsWithTheJob()
    {
        var job = await SubmitAsync("""{"command":["true"]}""");
        await JobReports.WriteAsync(_redis, job.Id, 0, 1000, """{"metric":"loss","value":1,"step":1}""");
        var cursor = (await _client.GetFromJsonAsync<MetricsView>($"/api/v1/jobs/{job.Id}/metrics", AtlasJson.Options, Ct))!.Cursor;

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/jobs/{job.Id}/metrics?since={cursor}");
        request.Headers.Accept.ParseAdd("text/event-stream");
        // The in-process test server hands the answer over when it is complete: read it once the job has ended.
        var following = _client.SendAsync(request, Ct);
        await Task.Delay(300, Ct);
        await JobReports.WriteAsync(_redis, job.Id, 0, 2000, """{"metric":"loss","value":0.5,"step":120}""");
        await Task.Delay(500, Ct);
        (await _client.PostAsync($"/api/v1/jobs/{job.Id}/stop", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);

        using var response = await following.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        var text = await response.Content.ReadAsStringAsync(Ct);

        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var only = events.ShouldHaveSingleItem();
        only.ShouldContain("data: {\"name\":\"loss\",\"step\":120,\"value\":0.5,\"time\":2000}");
        only.ShouldMatch(@"(?m)^id: \d+-\d+$");
    }

    [Fact]
    public async Task JobView_SubmitParamsAndReportedOnes_ShownInGetAndList()
    {
        var job = await SubmitAsync("""{"command":["true"],"project":"p","params":{"lr":"0.1","epochs":"3"},"tags":{"stage":"baseline"}}""");
        job.Params["lr"].ShouldBe("0.1");
        await JobReports.WriteAsync(_redis, job.Id, 0, 1, """{"param":"lr","value":0.001}""", """{"tag":"owner","value":"ml"}""");

        var view = await _client.GetFromJsonAsync<JobView>($"/api/v1/jobs/{job.Id}", AtlasJson.Options, Ct);
        var listed = (await _client.GetFromJsonAsync<List<JobView>>("/api/v1/jobs?project=p", AtlasJson.Options, Ct))!.Single();

        foreach (var v in new[] { view!, listed })
        {
            v.Params.ShouldBe(new Dictionary<string, string> { ["lr"] = "0.001", ["epochs"] = "3" }, ignoreOrder: true);
            v.Tags.ShouldBe(new Dictionary<string, string> { ["stage"] = "baseline", ["owner"] = "ml" }, ignoreOrder: true);
        }
    }

    [Theory]
    [InlineData("""{"command":["true"],"params":{"1lr":"x"}}""", "params")]
    [InlineData("""{"command":["true"],"params":{"lr":"x","LR":"y"}}""", "params")]
    [InlineData("""{"command":["true"],"tags":{"a b":"x"}}""", "tags")]
    [InlineData("""{"command":["true"],"params":{"lr":null}}""", "params")]
    public async Task SubmitJob_BadParamsOrTags_Is400NamingTheField(string spec, string field)
    {
        using var response = await _client.PostAsync("/api/v1/jobs", JobUpload.Multipart(spec, JobUpload.Bundle(("a.txt", "a"))), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Artifacts_ListAndDownload_LinksAndTraversalRefused()
    {
        var job = await SubmitAsync("""{"command":["true"]}""");
        var artifacts = Path.Combine(_factory.Shared.Path, "jobs", job.Id, "artifacts");
        Directory.CreateDirectory(Path.Combine(artifacts, "ckpt"));
        File.WriteAllText(Path.Combine(artifacts, "model.pt"), "weights");
        File.WriteAllText(Path.Combine(artifacts, "ckpt", "1.pt"), "one");
        File.CreateSymbolicLink(Path.Combine(artifacts, "leak"), Path.Combine(_factory.Shared.Path, "jobs", job.Id, "spec.json"));

        var list = await _client.GetFromJsonAsync<List<ArtifactView>>($"/api/v1/jobs/{job.Id}/artifacts", AtlasJson.Options, Ct);

        list.ShouldNotBeNull().Select(a => (a.Path, a.Size)).ShouldBe([("ckpt/1.pt", 3L), ("model.pt", 7L)]);
        list![1].Modified.ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5));
        (await _client.GetStringAsync($"/api/v1/jobs/{job.Id}/artifacts/ckpt/1.pt", Ct)).ShouldBe("one");
        foreach (var bad in new[] { "leak", "..%2Fspec.json", "%2E%2E/%2E%2E/" + job.Id + "/spec.json", "nothing" })
        {
            using var response = await _client.GetAsync($"/api/v1/jobs/{job.Id}/artifacts/{bad}", Ct);
            response.StatusCode.ShouldBeOneOf([HttpStatusCode.NotFound, HttpStatusCode.BadRequest], bad);
            (await response.Content.ReadAsStringAsync(Ct)).ShouldNotContain("\"command\"");
        }
    }

    [Fact]
    public async Task ListRuns_Project_ParamsTagsAndChosenMetricSummaries()
    {
        var first = await SubmitAsync("""{"command":["true"],"project":"cmp","params":{"lr":"0.1"}}""");
        var second = await SubmitAsync("""{"command":["true"],"project":"cmp","params":{"lr":"0.01"}}""");
        await SubmitAsync("""{"command":["true"],"project":"other"}""");
        await JobReports.WriteAsync(_redis, first.Id, 0, 1, """{"metric":"loss","value":0.5,"step":1}""", """{"metric":"loss","value":0.2,"step":2}""", """{"metric":"loss","value":0.3,"step":3}""", """{"metric":"acc","value":0.9}""");
        await JobReports.WriteAsync(_redis, second.Id, 0, 1, """{"metric":"loss","value":0.7,"step":1}""");

        var root = JsonDocument.Parse(await _client.GetStringAsync("/api/v1/projects/cmp/runs?metrics=loss", Ct)).RootElement;

        var runs = root.EnumerateArray().ToDictionary(r => r.GetProperty("jobId").GetString()!);
        runs.Keys.ShouldBe([second.Id, first.Id], ignoreOrder: true);
        var one = runs[first.Id];
        one.GetProperty("state").GetString().ShouldBe("queued");
        one.GetProperty("user").GetString().ShouldNotBeNullOrEmpty();
        one.GetProperty("submittedAt").GetDateTimeOffset().ShouldBe(first.SubmittedAt);
        one.GetProperty("params").GetProperty("lr").GetString().ShouldBe("0.1");
        one.GetProperty("metrics").ToString().ShouldBe("""{"loss":{"last":0.3,"min":0.2,"max":0.5,"step":3}}""");
        runs[second.Id].GetProperty("metrics").GetProperty("loss").GetProperty("last").GetDouble().ShouldBe(0.7);
    }

    [Theory]
    [InlineData("/metrics?names=", "names")]
    [InlineData("/metrics?names=a,,%01", "names")]
    public async Task GetMetrics_BadQuery_Is400NamingTheField(string query, string field)
    {
        var job = await SubmitAsync("""{"command":["true"]}""");

        using var response = await _client.GetAsync($"/api/v1/jobs/{job.Id}{query}", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
    }

    [Fact]
    public async Task GetMetrics_EventStreamBadCursor_Is400()
    {
        var job = await SubmitAsync("""{"command":["true"]}""");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/jobs/{job.Id}/metrics?since=abc");
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await _client.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("since");
    }

    [Fact]
    public async Task DeleteJob_ForgetsItsReports()
    {
        var job = await SubmitAsync("""{"command":["true"]}""");
        await JobReports.WriteAsync(_redis, job.Id, 0, 1, """{"metric":"loss","value":1}""");
        await _client.PostAsync($"/api/v1/jobs/{job.Id}/stop", null, Ct);

        (await _client.DeleteAsync($"/api/v1/jobs/{job.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await _redis.GetDatabase().KeyExistsAsync([TrackingKeys.Meta(job.Id), TrackingKeys.Summary(job.Id), TrackingKeys.Series(job.Id, "loss"), TrackingKeys.Live(job.Id)])).ShouldBe(0);
        (await _client.GetAsync($"/api/v1/jobs/{job.Id}/metrics", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private async Task<JobView> SubmitAsync(string spec)
    {
        using var response = await _client.PostAsync("/api/v1/jobs", JobUpload.Multipart(spec, JobUpload.Bundle(("a.txt", "a"))), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, Ct))!;
    }
}
