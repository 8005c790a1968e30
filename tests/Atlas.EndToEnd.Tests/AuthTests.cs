using System.Net;
using System.Text.Json.Nodes;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using Atlas.Testing;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// The real cluster with <c>--auth --keycloak-url</c> pointing at an issuer on loopback: the
/// gateway, the master and the worker each check the tokens, and bob's job is invisible to alice
/// through the gateway and at the worker's own address, while an admin can act on it.
/// </summary>
public sealed class AuthTests : IAsyncLifetime
{
    private TestIssuer _issuer = null!;
    private AppHostCluster _cluster = null!;
    private HttpClient _http = null!;
    private string _alice = null!;
    private string _bob = null!;
    private string _admin = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _issuer = await TestIssuer.StartAsync();
        _alice = _issuer.Mint("sub-alice", "alice");
        _bob = _issuer.Mint("sub-bob", "bob");
        _admin = _issuer.Mint("sub-root", "root", ["atlas-admin"]);
        _cluster = await AppHostCluster.StartAsync(workers: 1,
            ["--runtime", "process", "--auth", "--keycloak-url", _issuer.Authority], bearerToken: _ => Task.FromResult(_admin), cancellationToken: Ct);
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _cluster.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    [Fact]
    public async Task OthersJob_ThroughGatewayAndAtWorker_IsInvisible_AdminActsOnIt()
    {
        _cluster.Output.ShouldContain($"auth:          on, tokens from {_issuer.Authority}");
        var config = JsonNode.Parse(await _http.GetStringAsync(Gateway("/api/v1/auth/config"), Ct))!;
        config["mode"]!.GetValue<string>().ShouldBe("oidc");
        (await SendAsync(HttpMethod.Get, Gateway("/api/v1/jobs"), null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var job = await SubmitAsync(_bob, """{"command":["sh","-c","echo secret; sleep 60"]}""");
        job.Owner.ShouldBe("sub-bob");
        await WaitForAsync(async () => (await GetAsync<JobView>(Gateway($"/api/v1/jobs/{job.Id}"), _bob)).State == JobState.Running);
        var worker = (await GetAsync<List<NodeView>>(Gateway("/api/v1/nodes"), _alice)).Single().Address;

        // alice, through the gateway and straight at the worker
        foreach (var (method, path) in new[] { ("GET", $"/api/v1/jobs/{job.Id}"), ("GET", $"/api/v1/jobs/{job.Id}/logs?follow=true"), ("POST", $"/api/v1/jobs/{job.Id}/stop"), ("DELETE", $"/api/v1/jobs/{job.Id}") })
        {
            using var response = await SendAsync(new HttpMethod(method), Gateway(path), _alice);
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, $"{method} {path}");
        }
        (await GetAsync<List<JobView>>(Gateway("/api/v1/jobs"), _alice)).ShouldNotContain(j => j.Id == job.Id);
        foreach (var (method, path) in new[] { ("GET", $"/api/v1/jobs/{job.Id}/logs?follow=true"), ("POST", $"/api/v1/jobs/{job.Id}/stop") })
        {
            using var denied = await SendAsync(new HttpMethod(method), worker + path, _alice);
            denied.StatusCode.ShouldBe(HttpStatusCode.NotFound, $"worker {method} {path}");
            using var anonymous = await SendAsync(new HttpMethod(method), worker + path, null);
            anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"worker {method} {path}");
        }
        (await GetAsync<JobView>(Gateway($"/api/v1/jobs/{job.Id}"), _bob)).State.ShouldBe(JobState.Running);

        // bob follows his own job's logs; the admin stops and deletes it
        await WaitForAsync(async () =>
        {
            using var logs = await SendAsync(HttpMethod.Get, Gateway($"/api/v1/jobs/{job.Id}/logs"), _bob);
            return (await logs.Content.ReadAsStringAsync(Ct)).Contains("secret", StringComparison.Ordinal);
        });
        (await GetAsync<List<JobView>>(Gateway("/api/v1/jobs"), _admin)).ShouldContain(j => j.Id == job.Id && j.Username == "bob");
        using (var stop = await SendAsync(HttpMethod.Post, Gateway($"/api/v1/jobs/{job.Id}/stop"), _admin))
        {
            stop.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }
        await WaitForAsync(async () => (await GetAsync<JobView>(Gateway($"/api/v1/jobs/{job.Id}"), _bob)).State == JobState.Cancelled);
        using (var delete = await SendAsync(HttpMethod.Delete, Gateway($"/api/v1/jobs/{job.Id}"), _admin))
        {
            delete.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }
    }

    private string Gateway(string path) => _cluster.GatewayUrl + path;

    private Task<JobView> SubmitAsync(string token, string spec) => _http.SubmitAsync(Gateway("/api/v1/jobs"), token, spec, Ct);

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? token) => _http.SendAsync(method, url, token, Ct);

    private Task<T> GetAsync<T>(string url, string token) => _http.GetAsync<T>(url, token, Ct);

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "timed out");
            await Task.Delay(200, Ct);
        }
    }
}
