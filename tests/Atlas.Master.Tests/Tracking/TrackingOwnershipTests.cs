using System.Net;
using Atlas.Core.Jobs;
using Atlas.Core.Tracking;
using Atlas.Testing;

namespace Atlas.Master.Tests.Tracking;

/// <summary>With auth on (tokens from a real issuer on loopback), another user's reports are a 404 like the rest of their job, and runs are one's own.</summary>
public sealed class TrackingOwnershipTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private TestIssuer _issuer = null!;
    private MasterFactory _factory = null!;
    private HttpClient _client = null!;
    private string _alice = null!;
    private string _bob = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _issuer = await TestIssuer.StartAsync();
        _factory = new MasterFactory(redis, _issuer.Authority);
        _client = _factory.CreateClient();
        _alice = _issuer.Mint("sub-alice", "alice");
        _bob = _issuer.Mint("sub-bob", "bob");
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    [Fact]
    public async Task OthersJob_MetricsArtifactsAndDownload_Are404()
    {
        var bobs = await _client.SubmitAsync("/api/v1/jobs", _bob, """{"command":["true"],"project":"own"}""", Ct);
        File.WriteAllText(Path.Combine(_factory.Shared.Path, "jobs", bobs.Id, "artifacts", "model.pt"), "w");

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
}
