using System.Text;
using Atlas.Core.Jobs;
using Atlas.Core.Net;
using Atlas.Core.Storage;
using Atlas.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;

namespace Atlas.Gateway.Tests.Routing;

/// <summary>The real gateway with a real Redis in front of two stand-in upstreams on loopback.</summary>
public sealed class JobNodeForwardingTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private Upstream _master = null!;
    private Upstream _node = null!;
    private WebApplicationFactory<Program> _gateway = null!;
    private HttpClient _client = null!;
    private ConnectionMultiplexer _redis = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _master = await Upstream.StartAsync("master");
        _node = await Upstream.StartAsync("node");
        _redis = RedisConnector.Connect(redis.ConnectionString);
        _gateway = GatewayHost.Create(redis.ConnectionString, [_master.Url]);
        _client = _gateway.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _master.DisposeAsync();
        await _node.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Api_AnyJobCall_GoesToMaster()
    {
        (await _client.GetStringAsync("/api/v1/jobs?limit=3", Ct)).ShouldBe("master GET /api/v1/jobs");
        (await _client.GetStringAsync("/openapi/v1.json", Ct)).ShouldBe("master GET /openapi/v1.json");
    }

    [Fact]
    public async Task Logs_JobWithNode_StreamsFromThatNodeLive()
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        await _redis.GetDatabase().StringSetAsync(RedisKeys.Route(id), _node.Url);

        using var response = await _client.GetAsync($"/api/v1/jobs/{id}/logs?follow=true", HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));

        // The first line arrives while the node still holds the second: nothing is buffered on the way.
        (await reader.ReadLineAsync(Ct)).ShouldBe($"node first {id}");
        _node.SecondPart.SetResult();
        (await reader.ReadLineAsync(Ct)).ShouldBe("node second");
    }

    [Fact]
    public async Task Stop_JobWithNode_GoesToMaster()
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        await _redis.GetDatabase().StringSetAsync(RedisKeys.Route(id), _node.Url);

        using var response = await _client.PostAsync($"/api/v1/jobs/{id}/stop", null, Ct);

        // A stop is a write to Redis that wakes the node: the master's call, whoever runs the job.
        (await response.Content.ReadAsStringAsync(Ct)).ShouldBe($"master POST /api/v1/jobs/{id}/stop");
    }

    [Fact]
    public async Task Logs_NoLookupEntry_GoesToMaster()
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        _master.SecondPart.SetResult();

        (await _client.GetStringAsync($"/api/v1/jobs/{id}/logs", Ct)).ShouldBe($"master first {id}\nmaster second\n");
    }

    [Fact]
    public async Task Logs_NodeUnreachable_FallsBackToMaster()
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        await _redis.GetDatabase().StringSetAsync(RedisKeys.Route(id), $"http://127.0.0.1:{LoopbackPorts.Next()}");
        _master.SecondPart.SetResult();

        (await _client.GetStringAsync($"/api/v1/jobs/{id}/logs", Ct)).ShouldStartWith($"master first {id}");
    }

    [Fact]
    public async Task Submit_LargeBody_PassesThroughUncut()
    {
        var size = 40 * 1024 * 1024; // above Kestrel's default 30 MB request limit
        using var content = new ByteArrayContent(new byte[size]);

        using var response = await _client.PostAsync("/api/v1/jobs", content, Ct);

        (await response.Content.ReadAsStringAsync(Ct)).ShouldBe($"master got {size}");
    }

    [Fact]
    public async Task Health_RedisUp_IsHealthy()
    {
        using var response = await _client.GetAsync("/health", Ct);
        Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync(Ct)).ShouldBe("Healthy");
    }
}
