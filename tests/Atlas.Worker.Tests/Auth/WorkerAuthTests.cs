using System.Net;
using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Testing;
using Atlas.Worker.Tests.Execution;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;

namespace Atlas.Worker.Tests.Auth;

/// <summary>
/// A call that skips the gateway and goes straight to a worker's address is checked just the
/// same: the worker validates the token itself and compares the job's owner in Redis.
/// </summary>
public sealed class WorkerAuthTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string Node = "auth-node";
    private readonly TempFolder _shared = new("atlas-shared");
    private TestIssuer _issuer = null!;
    private WebApplicationFactory<Program> _worker = null!;
    private HttpClient _client = null!;
    private ConnectionMultiplexer _redis = null!;
    private JobStores _store = null!;
    private long _epoch;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _issuer = await TestIssuer.StartAsync();
        _redis = await redis.ConnectEmptyAsync();
        _store = new JobStores(_redis);
        _epoch = await _store.Master.LeadAsync("test-master", TimeSpan.FromMinutes(5), Ct);
        _worker = WorkerHost.Create(redis.ConnectionString, _shared.Path, Node, drainGraceSeconds: "1", authority: _issuer.Authority);
        _client = _worker.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _worker.DisposeAsync();
        await _redis.DisposeAsync();
        await _issuer.DisposeAsync();
        _shared.Dispose();
    }

    [Fact]
    public async Task RunningJob_DirectCallByAnotherUser_GetsNothing_OwnerAndAdminDo()
    {
        var id = await RunAsync(new JobOwner("sub-bob", "bob"), "/bin/sh", "-c", "echo secret; sleep 60");
        var alice = _issuer.Mint("sub-alice", "alice");
        var bob = _issuer.Mint("sub-bob", "bob");
        var admin = _issuer.Mint("sub-root", "root", ["atlas-admin"]);

        (await SendAsync(HttpMethod.Get, $"/api/v1/jobs/{id}/logs", null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using (var denied = await SendAsync(HttpMethod.Get, $"/api/v1/jobs/{id}/logs?follow=true", alice))
        {
            denied.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await denied.Content.ReadAsStringAsync(Ct)).ShouldNotContain("secret");
        }
        await WaitForAsync(async () => (await (await SendAsync(HttpMethod.Get, $"/api/v1/jobs/{id}/logs", bob)).Content.ReadAsStringAsync(Ct)) == "secret\n");
        (await SendAsync(HttpMethod.Get, $"/api/v1/jobs/{id}/logs", admin)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Stop_IsNotAWorkerCall_TheMastersStopStillEndsTheJob()
    {
        var id = await RunAsync(new JobOwner("sub-bob", "bob"), "sleep", "60");
        var bob = _issuer.Mint("sub-bob", "bob");

        // A stop is a write to Redis that wakes the node: the master answers it, the worker has no such call.
        (await SendAsync(HttpMethod.Post, $"/api/v1/jobs/{id}/stop", bob)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _store.Reader.GetAsync(id, Ct))!.StopRequested.ShouldBeFalse();

        (await _store.Master.StopAsync(id, Ct)).Kind.ShouldBe(StopKind.Stopping);
        await WaitForAsync(async () => (await _store.Reader.GetAsync(id, Ct))!.View.State == JobState.Cancelled);
    }

    private async Task<string> RunAsync(JobOwner owner, params string[] command)
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        Directory.CreateDirectory(Path.Combine(_shared.Path, "jobs", id, "work"));
        await _store.Master.SubmitAsync(id, new JobSpec { Command = command }, owner, null, null, Ct);
        await WaitForAsync(async () => (await _store.Master.PlaceAsync(10, TimeSpan.FromSeconds(15), _epoch, Ct)).Count > 0);
        await WaitForAsync(async () => (await _store.Reader.GetAsync(id, Ct))!.View.State == JobState.Running);
        return id;
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token) => _client.SendAsync(method, path, token, Ct);

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "timed out");
            await Task.Delay(50, Ct);
        }
    }
}
