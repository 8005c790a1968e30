using System.Net;
using Atlas.Gateway.Tests.Routing;
using Atlas.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Atlas.Gateway.Tests.BadInput;

/// <summary>
/// Hostile ids and queries against the gateway over real HTTP on loopback, in front of a stand-in
/// master: the job-to-node lookup must never be fooled into a 5xx, and the gateway keeps
/// serving. Replay with <c>ATLAS_FUZZ_SEED</c>.
/// </summary>
public sealed class BadInputTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private Upstream _master = null!;
    private WebApplicationFactory<Program> _gateway = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _master = await Upstream.StartAsync("master");
        _master.SecondPart.SetResult(); // its logs answer at once
        _gateway = GatewayHost.Create(redis.ConnectionString, [_master.Url]);
        _gateway.UseKestrel(0);
        _gateway.StartServer();
        _client = _gateway.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _master.DisposeAsync();
    }

    [Fact]
    public async Task JobCalls_HostileIdsAndQueries_NeverA5xx()
    {
        var seed = HostileInput.Seed(output);
        var random = new Random(seed);
        var requests = new List<(HttpMethod, string)>();
        foreach (var id in HostileInput.PathIds(random, 40))
        {
            requests.Add((HttpMethod.Get, $"/api/v1/jobs/{id}"));
            requests.Add((HttpMethod.Get, $"/api/v1/jobs/{id}/logs?follow={(random.Next(2) == 0 ? "true" : "maybe")}"));
            requests.Add((HttpMethod.Post, $"/api/v1/jobs/{id}/stop"));
            requests.Add((HttpMethod.Delete, $"/api/v1/jobs/{id}"));
        }
        foreach (var query in HostileInput.Queries)
        {
            requests.Add((HttpMethod.Get, $"/api/v1/jobs?{query}"));
            requests.Add((HttpMethod.Get, $"/api/v1/jobs/0000000000zzzzzz/logs?{query}"));
        }
        requests.Add((HttpMethod.Get, "/api/v1/nodes?x=" + new string('n', 8000)));

        foreach (var (method, url) in requests)
        {
            using var response = await _client.SendAsync(new HttpRequestMessage(method, url), Ct);
            ((int)response.StatusCode).ShouldBeLessThan(500, $"seed {seed}: {method} {url[..Math.Min(url.Length, 120)]} -> {(int)response.StatusCode}");
        }
        (await _client.GetAsync("/health", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
