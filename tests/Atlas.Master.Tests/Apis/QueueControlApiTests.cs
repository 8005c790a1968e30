using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Master.Tests.Auth;
using Atlas.Testing;

namespace Atlas.Master.Tests.Apis;

/// <summary>
/// <c>POST /api/v1/jobs/{id}/priority</c> and <c>POST /api/v1/queue/stop</c> on the real master with
/// auth on (tokens from a real issuer on loopback) and a real redis-server. No worker runs, so
/// submitted jobs stay queued.
/// </summary>
public sealed class QueueControlApiTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private AuthMaster _master = null!;
    private HttpClient _client = null!;
    private string _alice = null!;
    private string _bob = null!;
    private string _admin = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _master = await AuthMaster.StartAsync(redis);
        (_client, _alice, _bob, _admin) = (_master.Client, _master.Alice, _master.Bob, _master.Admin);
    }

    public ValueTask DisposeAsync() => _master.DisposeAsync();

    [Fact]
    public async Task SetPriority_OwnQueuedJob_ChangesItAndItsPlace()
    {
        var first = await SubmitAsync(_alice);
        var second = await SubmitAsync(_alice);

        using var response = await PostAsync($"/api/v1/jobs/{second.Id}/priority", _alice, new { priority = 7 });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, Ct))!.Priority.ShouldBe(7);
        (await _client.GetAsync<JobView>($"/api/v1/jobs/{second.Id}", _alice, Ct)).Priority.ShouldBe(7);
        var places = await PlacesAsync(_alice);
        places[second.Id].ShouldBeLessThan(places[first.Id]);
    }

    [Fact]
    public async Task SetPriority_Top_PutsItFirstAmongTheCallersJobs()
    {
        var a = await SubmitAsync(_alice);
        var b = await SubmitAsync(_alice, priority: 4);
        var c = await SubmitAsync(_alice);

        using var response = await PostAsync($"/api/v1/jobs/{c.Id}/priority", _alice, new { top = true });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, Ct))!.Priority.ShouldBeGreaterThanOrEqualTo(4);
        var places = await PlacesAsync(_alice);
        places[c.Id].ShouldBeLessThan(places[b.Id]);
        places[b.Id].ShouldBeLessThan(places[a.Id]);
        places.Values.Min().ShouldBe(places[c.Id], "first of alice's waiting jobs");
    }

    [Theory]
    [InlineData("""{"priority":101}""", "priority")]
    [InlineData("""{"priority":-101}""", "priority")]
    [InlineData("""{}""", "priority")]
    [InlineData("""{"priority":3,"top":true}""", "top")]
    public async Task SetPriority_BadBody_Is400NamingTheFieldAndChangesNothing(string body, string field)
    {
        var job = await SubmitAsync(_alice);

        using var response = await _client.SendAsync(Request(HttpMethod.Post, $"/api/v1/jobs/{job.Id}/priority", _alice, body), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        problem.RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
        (await _client.GetAsync<JobView>($"/api/v1/jobs/{job.Id}", _alice, Ct)).Priority.ShouldBe(0);
    }

    [Fact]
    public async Task SetPriority_OthersJob_Is404_AdminMay()
    {
        var bobs = await SubmitAsync(_bob);

        using var refused = await PostAsync($"/api/v1/jobs/{bobs.Id}/priority", _alice, new { priority = 9 });
        refused.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _client.GetAsync<JobView>($"/api/v1/jobs/{bobs.Id}", _bob, Ct)).Priority.ShouldBe(0);

        using var admin = await PostAsync($"/api/v1/jobs/{bobs.Id}/priority", _admin, new { priority = 9 });
        admin.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _client.GetAsync<JobView>($"/api/v1/jobs/{bobs.Id}", _bob, Ct)).Priority.ShouldBe(9);
    }

    [Fact]
    public async Task SetPriority_JobNotWaiting_Is409WithItsState()
    {
        var job = await SubmitAsync(_alice);
        (await _client.SendAsync(HttpMethod.Post, $"/api/v1/jobs/{job.Id}/stop", _alice, Ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);

        using var response = await PostAsync($"/api/v1/jobs/{job.Id}/priority", _alice, new { priority = 5 });

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("is cancelled; only a queued job's priority can change");
    }

    [Fact]
    public async Task SetPriority_UnknownOrMalformedId_Is404()
    {
        using var unknown = await PostAsync($"/api/v1/jobs/{JobId.New(DateTimeOffset.UtcNow)}/priority", _alice, new { priority = 1 });
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var malformed = await PostAsync("/api/v1/jobs/..%2Fx/priority", _alice, new { priority = 1 });
        malformed.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task StopQueued_Self_CancelsOnlyTheCallersWaitingJobs()
    {
        var mine = new[] { await SubmitAsync(_alice), await SubmitAsync(_alice) };
        var bobs = await SubmitAsync(_bob);

        var result = await StopQueuedAsync("", _alice);

        result.Scope.ShouldBe("mine");
        result.Cancelled.ShouldBeGreaterThanOrEqualTo(2);
        foreach (var job in mine)
        {
            var view = await _client.GetAsync<JobView>($"/api/v1/jobs/{job.Id}", _alice, Ct);
            view.State.ShouldBe(JobState.Cancelled);
            view.Reason.ShouldBe("stopped by user");
        }
        (await _client.GetAsync<JobView>($"/api/v1/jobs/{bobs.Id}", _bob, Ct)).State.ShouldBe(JobState.Queued);
        (await StopQueuedAsync("", _alice)).Cancelled.ShouldBe(0);
    }

    [Theory]
    [InlineData("?user=bob")]
    [InlineData("?everyone=true")]
    public async Task StopQueued_NonAdminNamingOthers_Is403AndChangesNothing(string query)
    {
        var bobs = await SubmitAsync(_bob);
        var alices = await SubmitAsync(_alice);

        using var response = await _client.SendAsync(HttpMethod.Post, "/api/v1/queue/stop" + query, _alice, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("not an admin");
        (await _client.GetAsync<JobView>($"/api/v1/jobs/{bobs.Id}", _bob, Ct)).State.ShouldBe(JobState.Queued);
        (await _client.GetAsync<JobView>($"/api/v1/jobs/{alices.Id}", _alice, Ct)).State.ShouldBe(JobState.Queued);
    }

    [Fact]
    public async Task StopQueued_AdminNamesAUser_CancelsTheirsOnly()
    {
        var bobs = await SubmitAsync(_bob);
        var alices = await SubmitAsync(_alice);

        var result = await StopQueuedAsync("?user=bob", _admin);

        result.Scope.ShouldBe("user:bob");
        result.Cancelled.ShouldBeGreaterThanOrEqualTo(1);
        (await _client.GetAsync<JobView>($"/api/v1/jobs/{bobs.Id}", _bob, Ct)).State.ShouldBe(JobState.Cancelled);
        (await _client.GetAsync<JobView>($"/api/v1/jobs/{alices.Id}", _alice, Ct)).State.ShouldBe(JobState.Queued);
    }

    [Fact]
    public async Task StopQueued_AdminEveryone_CancelsEveryWaitingJob()
    {
        var bobs = await SubmitAsync(_bob);
        var alices = await SubmitAsync(_alice);

        var result = await StopQueuedAsync("?everyone=true", _admin);

        result.Scope.ShouldBe("everyone");
        result.Cancelled.ShouldBeGreaterThanOrEqualTo(2);
        (await _client.GetAsync<JobView>($"/api/v1/jobs/{bobs.Id}", _bob, Ct)).State.ShouldBe(JobState.Cancelled);
        (await _client.GetAsync<JobView>($"/api/v1/jobs/{alices.Id}", _alice, Ct)).State.ShouldBe(JobState.Cancelled);
        (await _client.GetAsync<QueueView>("/api/v1/queue", _admin, Ct)).Queued.ShouldBe(0);
    }

    [Theory]
    [InlineData("?user=", "user")]
    [InlineData("?user=bob&everyone=true", "everyone")]
    public async Task StopQueued_BadQuery_Is400NamingTheField(string query, string field)
    {
        var bobs = await SubmitAsync(_bob);

        using var response = await _client.SendAsync(HttpMethod.Post, "/api/v1/queue/stop" + query, _admin, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        problem.RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
        (await _client.GetAsync<JobView>($"/api/v1/jobs/{bobs.Id}", _bob, Ct)).State.ShouldBe(JobState.Queued);
    }

    [Fact]
    public async Task StopQueued_LongUserName_Is400()
    {
        using var response = await _client.SendAsync(HttpMethod.Post, "/api/v1/queue/stop?user=" + new string('u', 300), _admin, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private async Task<JobView> SubmitAsync(string token, int priority = 0)
    {
        var job = await _client.SubmitAsync("/api/v1/jobs", token, $$"""{"command":["true"],"priority":{{priority}}}""", Ct);
        await Task.Delay(2, Ct); // distinct submit times: the expected order is the submit order
        return job;
    }

    private async Task<Dictionary<string, int>> PlacesAsync(string token) =>
        (await _client.GetAsync<QueueView>("/api/v1/queue", token, Ct)).Yours.ToDictionary(p => p.Id, p => p.Position);

    private async Task<QueueStopView> StopQueuedAsync(string query, string token)
    {
        using var response = await _client.SendAsync(HttpMethod.Post, "/api/v1/queue/stop" + query, token, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<QueueStopView>(AtlasJson.Options, Ct))!;
    }

    private Task<HttpResponseMessage> PostAsync(string path, string token, object body) =>
        _client.SendAsync(Request(HttpMethod.Post, path, token, JsonSerializer.Serialize(body)), Ct);

    private static HttpRequestMessage Request(HttpMethod method, string path, string token, string json)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", token);
        return request;
    }
}
