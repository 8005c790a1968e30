using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.Master.Tests.Table;

/// <summary><c>GET /api/v1/jobs/query</c> on the real master and a real redis-server: filters, sort, keyset pages, bad input.</summary>
public sealed class JobTableApiTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private MasterFactory _factory = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _factory = new MasterFactory(redis);
        _client = _factory.CreateClient();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task Query_Paged_EveryMatchingJobOnceInOrder()
    {
        var project = Unique("paged");
        var submitted = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            submitted.Add(await SubmitAsync(project, $"job-{(i * 3) % 7}"));
        }
        await SubmitAsync(Unique("other"), "noise");

        var seen = new List<(string Id, string Name)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await QueryAsync($"project={project}&sort=name&order=asc&limit=3" + (cursor is null ? "" : $"&cursor={cursor}"));
            page.GetProperty("total").GetInt32().ShouldBe(7);
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                seen.Add((item.GetProperty("id").GetString()!, item.GetProperty("name").GetString()!));
            }
            // A null nextCursor is left out: the last page.
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
            pages++;
        }
        while (cursor is not null && pages < 10);

        pages.ShouldBe(3);
        seen.Select(s => s.Id).Order().ShouldBe(submitted.Order());
        seen.Select(s => s.Name).ShouldBe(seen.Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Query_DefaultSort_NewestFirstAndNewJobSeenAtOnce()
    {
        var project = Unique("newest");
        var first = await SubmitAsync(project, "a");
        var second = await SubmitAsync(project, "b");

        var page = await QueryAsync($"project={project}");

        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ShouldBe([second, first]);
        page.GetProperty("items")[0].GetProperty("state").GetString().ShouldBe("queued");
    }

    [Fact]
    public async Task Query_StateAndUserFilters_MatchOnly()
    {
        var project = Unique("filters");
        var id = await SubmitAsync(project, "x");
        using (var stop = await _client.PostAsync($"/api/v1/jobs/{id}/stop", null, Ct))
        {
            stop.EnsureSuccessStatusCode();
        }
        var queued = await SubmitAsync(project, "y");
        // The table may be up to half a second behind Redis.
        await Task.Delay(TimeSpan.FromMilliseconds(600), Ct);

        var cancelled = await QueryAsync($"project={project}&state=cancelled");
        var local = await QueryAsync($"project={project}&user=local&state=queued,running");
        var nobody = await QueryAsync($"project={project}&user=nobody");

        cancelled.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ShouldBe([id]);
        local.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ShouldBe([queued]);
        nobody.GetProperty("total").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Query_TagFilterAndParamSort_ReadTheJobsParamsAndTags()
    {
        var project = Unique("labels");
        var ids = new List<string>();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        foreach (var (lr, stage) in new[] { ("0.1", "baseline"), ("0.003", "tuned"), ("0.02", "baseline") })
        {
            var id = await SubmitAsync(project, "run");
            // Where the tracking store keeps what a job reported: hashes beside the job's record.
            await connection.GetDatabase().HashSetAsync($"atlas:job:{id}:params", "lr", lr);
            await connection.GetDatabase().HashSetAsync($"atlas:job:{id}:tags", "stage", stage);
            ids.Add(id);
        }
        // Queued jobs are read again at the next refresh of the table (at most half a second later).
        await Task.Delay(TimeSpan.FromMilliseconds(600), Ct);

        var byLr = await QueryAsync($"project={project}&sort=param:lr&order=asc");
        var baseline = await QueryAsync($"project={project}&tag=stage=baseline&sort=param:lr&order=desc");

        byLr.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ShouldBe([ids[1], ids[2], ids[0]]);
        byLr.GetProperty("items")[0].GetProperty("params").GetProperty("lr").GetString().ShouldBe("0.003");
        baseline.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ShouldBe([ids[0], ids[2]]);
    }

    [Fact]
    public async Task Query_MetricSort_OrdersEveryPageByTheLastValue()
    {
        var project = Unique("metrics");
        var ids = new List<string>();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        foreach (var loss in new[] { 0.5, 0.1, 0.9, 0.3 })
        {
            var id = await SubmitAsync(project, "run");
            // Where the tracking store keeps each metric's summary: last, min, max and step, as JSON.
            await connection.GetDatabase().HashSetAsync($"atlas:job:{id}:summary", "loss", $$"""{"last":{{loss}},"min":0.01,"max":2,"step":10}""");
            ids.Add(id);
        }
        var unreported = await SubmitAsync(project, "no-metrics");
        // Queued jobs are read again at the table's next refresh: wait until every metric shows.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await QueryAsync($"project={project}&sort=metric:loss")).GetProperty("items").EnumerateArray().Count(i => i.TryGetProperty("metrics", out var m) && m.TryGetProperty("loss", out _)) < 4
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Ct);
        }

        // Two rows a page: the order holds across pages, not only within one.
        var first = await QueryAsync($"project={project}&sort=metric:loss&order=asc&limit=2");
        var second = await QueryAsync($"project={project}&sort=metric:loss&order=asc&limit=2&cursor={first.GetProperty("nextCursor").GetString()}");
        var third = await QueryAsync($"project={project}&sort=metric:loss&order=asc&limit=2&cursor={second.GetProperty("nextCursor").GetString()}");

        string?[] Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString())];
        // A job without the metric sorts first, as a missing value does in every column.
        Ids(first).ShouldBe([unreported, ids[1]]);
        Ids(second).ShouldBe([ids[3], ids[0]]);
        Ids(third).ShouldBe([ids[2]]);
        second.GetProperty("items")[0].GetProperty("metrics").GetProperty("loss").GetDouble().ShouldBe(0.3);
    }

    [Fact]
    public async Task Projects_ListsCountsPerProject()
    {
        var project = Unique("counted");
        await SubmitAsync(project, "a");
        await SubmitAsync(project, "b");

        var projects = await _client.GetFromJsonAsync<JsonElement>("/api/v1/jobs/query/projects", Ct);

        var mine = projects.EnumerateArray().Single(p => p.GetProperty("project").GetString() == project);
        mine.GetProperty("jobs").GetInt32().ShouldBe(2);
        mine.GetProperty("active").GetInt32().ShouldBe(2);
    }

    [Theory]
    [InlineData("sort=colour", "sort")]
    [InlineData("order=sideways", "order")]
    [InlineData("state=sleeping", "state")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("cursor=%21%21not-a-cursor", "cursor")]
    [InlineData("tag==v", "tag")]
    public async Task Query_BadValue_400NamingTheField(string query, string field)
    {
        using var response = await _client.GetAsync($"/api/v1/jobs/query?{query}", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
    }

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private async Task<JsonElement> QueryAsync(string query) =>
        await _client.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/query?{query}", Ct);

    private async Task<string> SubmitAsync(string project, string name)
    {
        using var body = JobUpload.Multipart(JsonSerializer.Serialize(new { command = new[] { "true" }, project, name }), JobUpload.Bundle(("a.txt", "a")));
        using var response = await _client.PostAsync("/api/v1/jobs", body, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, Ct))!.Id;
    }
}
