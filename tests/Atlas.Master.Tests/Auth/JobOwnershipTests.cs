using System.Net;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Tracking;
using Atlas.Testing;

namespace Atlas.Master.Tests.Auth;

/// <summary>
/// The real master with auth on (tokens from a real issuer on loopback): each user sees and
/// touches only their own jobs, anyone else's job is a 404, and an admin sees and acts on all.
/// </summary>
public sealed class JobOwnershipTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
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
    public async Task SubmitJob_OwnerInBody_RecordsTheTokensSubject()
    {
        var job = await SubmitAsync(_alice, """{"command":["true"],"owner":"sub-bob","username":"bob"}""");

        job.Owner.ShouldBe("sub-alice");
        job.Username.ShouldBe("alice");
        (await SendAsync(HttpMethod.Get, $"/api/v1/jobs/{job.Id}", _alice)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task OpenApi_AuthOn_DeclaresTheBearerScheme()
    {
        // The document is open (no token), and says every operation takes a bearer token.
        var doc = await _client.GetStringAsync("/openapi/v1.json", Ct);

        using var json = System.Text.Json.JsonDocument.Parse(doc);
        var scheme = json.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        scheme.GetProperty("scheme").GetString().ShouldBe("bearer");
        json.RootElement.GetProperty("security")[0].TryGetProperty("bearer", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task OthersJob_EveryCall_Is404AndChangesNothing()
    {
        var job = await SubmitAsync(_bob);

        (await SendAsync(HttpMethod.Get, $"/api/v1/jobs/{job.Id}", _alice)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await SendAsync(HttpMethod.Get, $"/api/v1/jobs/{job.Id}/logs?follow=true", _alice)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await SendAsync(HttpMethod.Post, $"/api/v1/jobs/{job.Id}/stop", _alice)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await SendAsync(HttpMethod.Delete, $"/api/v1/jobs/{job.Id}", _alice)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        (await GetAsync<JobView>($"/api/v1/jobs/{job.Id}", _bob)).State.ShouldBe(JobState.Queued);
    }

    [Fact]
    public async Task ListJobs_User_SeesOnlyOwnJobs_AdminSeesAll()
    {
        var alices = await SubmitAsync(_alice);
        var bobs = await SubmitAsync(_bob);

        var forAlice = await GetAsync<List<JobView>>("/api/v1/jobs", _alice);
        var forBob = await GetAsync<List<JobView>>("/api/v1/jobs", _bob);
        var forAdmin = await GetAsync<List<JobView>>("/api/v1/jobs", _admin);

        forAlice.ShouldAllBe(j => j.Owner == "sub-alice");
        forAlice.ShouldContain(j => j.Id == alices.Id);
        forBob.ShouldAllBe(j => j.Owner == "sub-bob");
        forBob.ShouldContain(j => j.Id == bobs.Id);
        forAdmin.Select(j => j.Id).ShouldContain(alices.Id);
        forAdmin.Select(j => j.Id).ShouldContain(bobs.Id);
    }

    [Fact]
    public async Task OthersJob_Admin_CanReadStopAndDelete()
    {
        var job = await SubmitAsync(_bob);

        (await GetAsync<JobView>($"/api/v1/jobs/{job.Id}", _admin)).Username.ShouldBe("bob");
        (await SendAsync(HttpMethod.Get, $"/api/v1/jobs/{job.Id}/logs", _admin)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await SendAsync(HttpMethod.Post, $"/api/v1/jobs/{job.Id}/stop", _admin)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await SendAsync(HttpMethod.Delete, $"/api/v1/jobs/{job.Id}", _admin)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await SendAsync(HttpMethod.Get, $"/api/v1/jobs/{job.Id}", _bob)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OwnJob_Owner_CanStopAndDelete()
    {
        var job = await SubmitAsync(_alice);

        (await SendAsync(HttpMethod.Post, $"/api/v1/jobs/{job.Id}/stop", _alice)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await SendAsync(HttpMethod.Delete, $"/api/v1/jobs/{job.Id}", _alice)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await GetAsync<List<JobView>>("/api/v1/jobs", _alice)).ShouldNotContain(j => j.Id == job.Id);
    }

    [Fact]
    public async Task Queue_TwoUsers_CountsEveryoneShowsOnlyOwnPlaces()
    {
        var first = await SubmitAsync(_alice);
        var bobs = await SubmitAsync(_bob);
        var second = await SubmitAsync(_alice);

        using var response = await SendAsync(HttpMethod.Get, "/api/v1/queue", _alice);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var queue = System.Text.Json.JsonSerializer.Deserialize<QueueView>(text, AtlasJson.Options)!;

        text.ShouldNotContain(bobs.Id);
        queue.Yours.Select(p => p.Id).ShouldContain(first.Id);
        queue.Yours.Select(p => p.Id).ShouldContain(second.Id);
        var places = queue.Yours.ToDictionary(p => p.Id, p => p.Position);
        places[second.Id].ShouldBeGreaterThan(places[first.Id] + 1); // bob's job waits between them
        queue.Queued.ShouldBeGreaterThanOrEqualTo(queue.Yours.Count + 1);
    }

    [Fact]
    public async Task Api_NoToken_Is401_OpenEndpointsAnswer()
    {
        using var jobs = await _client.GetAsync("/api/v1/jobs", Ct);
        jobs.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        jobs.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
        (await _client.GetAsync("/openapi/v1.json", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _client.GetAsync("/alive", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _client.GetAsync("/api/v1/auth/config", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task OthersJob_MetricsArtifactsAndDownload_Are404()
    {
        var bobs = await _client.SubmitAsync("/api/v1/jobs", _bob, """{"command":["true"],"project":"own"}""", Ct);
        File.WriteAllText(Path.Combine(_master.Factory.Shared.Path, "jobs", bobs.Id, "artifacts", "model.pt"), "w");

        foreach (var path in new[] { "metrics", "artifacts", "artifacts/model.pt" })
        {
            using var response = await _client.SendAsync(HttpMethod.Get, $"/api/v1/jobs/{bobs.Id}/{path}", _alice, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
            using var own = await _client.SendAsync(HttpMethod.Get, $"/api/v1/jobs/{bobs.Id}/{path}", _bob, Ct);
            own.StatusCode.ShouldBe(HttpStatusCode.OK, path);
        }
    }

    [Fact]
    public async Task ListRuns_User_SeesOnlyOwnJobsOfTheProject()
    {
        var alices = await _client.SubmitAsync("/api/v1/jobs", _alice, """{"command":["true"],"project":"shared","params":{"lr":"1"}}""", Ct);
        var bobs = await _client.SubmitAsync("/api/v1/jobs", _bob, """{"command":["true"],"project":"shared"}""", Ct);

        var runs = await _client.GetAsync<List<RunView>>("/api/v1/projects/shared/runs", _alice, Ct);

        runs.Select(r => r.JobId).ShouldBe([alices.Id]);
        runs.Single().Params["lr"].ShouldBe("1");
        runs.Single().State.ShouldBe(JobState.Queued);
        (await _client.GetAsync<List<RunView>>("/api/v1/projects/shared/runs", _bob, Ct)).Select(r => r.JobId).ShouldBe([bobs.Id]);
    }

    private Task<JobView> SubmitAsync(string token, string spec = """{"command":["true"]}""") => _client.SubmitAsync("/api/v1/jobs", token, spec, Ct);

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token) => _client.SendAsync(method, path, token, Ct);

    private Task<T> GetAsync<T>(string path, string token) => _client.GetAsync<T>(path, token, Ct);
}
