using System.Net;
using Atlas.Core.Net;
using Atlas.Core.Nodes;
using Atlas.Core.Storage;
using Atlas.Testing;

namespace Atlas.Worker.Tests.Execution;

/// <summary>A worker started before its Redis answers: it waits, says so on /health, and registers once Redis is up.</summary>
public sealed class WorkerWithoutRedisTests : IDisposable
{
    private readonly TempFolder _shared = new("atlas-shared");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _shared.Dispose();

    [Fact]
    public async Task Start_RedisDown_AliveAnswersHealthUnhealthyThenRegistersWhenRedisComes()
    {
        var port = LoopbackPorts.Next();
        await using var worker = WorkerHost.Create($"127.0.0.1:{port},allowAdmin=true", _shared.Path, "late-node", drainGraceSeconds: "1", heartbeatSeconds: "0.5");
        using var http = worker.CreateClient();

        (await http.GetAsync("/alive", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync("/health", Ct)).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);

        await using var redis = RedisServer.OnPort(port);
        await redis.InitializeAsync();
        using var connection = RedisConnector.Connect(redis.ConnectionString);
        var store = new JobStores(connection);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await store.Reader.ListNodesAsync(Ct)).All(n => n.Name != "late-node" || n.State != NodeState.Ready))
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the worker registered once Redis answered");
            await Task.Delay(200, Ct);
        }
        while ((await http.GetAsync("/health", Ct)).StatusCode != HttpStatusCode.OK)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "/health turned healthy once Redis answered");
            await Task.Delay(200, Ct);
        }
    }
}
