using System.Net;
using Atlas.Testing;
using Atlas.Worker.Tests.Execution;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Atlas.Worker.Tests.BadInput;

/// <summary>
/// Hostile ids and queries against the worker's own endpoints (the live logs and stop calls the
/// gateway forwards to it), over real HTTP on loopback: a 4xx ProblemDetails or a 2xx, never a
/// 5xx, and the worker keeps serving. Replay with <c>ATLAS_FUZZ_SEED</c>.
/// </summary>
public sealed class BadInputTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly TempFolder _shared = new("atlas-shared");
    private WebApplicationFactory<Program> _worker = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _worker = WorkerHost.Create(redis.ConnectionString, _shared.Path, "fuzz-node", drainGraceSeconds: "1");
        _worker.UseKestrel(0);
        _worker.StartServer();
        _client = _worker.CreateClient();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _worker.DisposeAsync();
        _shared.Dispose();
    }

    [Fact]
    public async Task JobCalls_HostileIdsAndQueries_NeverA5xx()
    {
        var seed = HostileInput.Seed(output);
        var random = new Random(seed);
        var requests = new List<(HttpMethod, string)>();
        foreach (var id in HostileInput.PathIds(random, 40))
        {
            requests.Add((HttpMethod.Get, $"/api/v1/jobs/{id}/logs?follow={(random.Next(2) == 0 ? "true" : "maybe")}"));
            requests.Add((HttpMethod.Post, $"/api/v1/jobs/{id}/stop"));
        }
        foreach (var query in HostileInput.Queries)
        {
            requests.Add((HttpMethod.Get, $"/api/v1/jobs/0000000000zzzzzz/logs?{query}"));
        }

        foreach (var (method, url) in requests)
        {
            using var response = await _client.SendAsync(new HttpRequestMessage(method, url), Ct);
            var what = $"seed {seed}: {method} {url[..Math.Min(url.Length, 120)]} -> {(int)response.StatusCode}";
            ((int)response.StatusCode).ShouldBeLessThan(500, what);
            if ((int)response.StatusCode >= 400)
            {
                response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", what);
            }
        }
        (await _client.GetAsync("/health", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
