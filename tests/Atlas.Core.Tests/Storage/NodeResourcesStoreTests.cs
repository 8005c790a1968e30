using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using Atlas.Core.Storage;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.Core.Tests.Storage;

/// <summary>A node's resources as Register writes them and the reader shows them, with what its jobs hold: real redis-server.</summary>
public sealed class NodeResourcesStoreTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan Alive = TimeSpan.FromSeconds(15);
    private static readonly NodeResources Resources = new()
    {
        Gpus = [new NodeGpu("0", "NVIDIA H100 80GB HBM3", 81559), new NodeGpu("1", "NVIDIA H100 80GB HBM3", 81559)],
        CpuMillis = 16000,
        MemoryBytes = 64L << 30,
        Limits = NodeLimits.Cgroup,
        LimitsNote = "cgroup v2 below /sys/fs/cgroup",
    };

    private ConnectionMultiplexer _connection = null!;
    private JobStores _store = null!;
    private long _epoch;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _connection = await redis.ConnectEmptyAsync();
        _store = new JobStores(_connection);
        _epoch = await _store.Master.LeadAsync("test-master", TimeSpan.FromMinutes(1), Ct);
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task Register_WithResources_WritesTheContractsFields()
    {
        await _store.Worker.RegisterNodeAsync(new NodeRegistration("n1", "http://n1:1", "process", 4) { Resources = Resources }, Alive, Ct);

        var f = (await _connection.GetDatabase().HashGetAllAsync(RedisKeys.Node("n1"))).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        f["gpus"].ShouldBe("0,1");
        f["gpuInfo"].ShouldBe("""[{"id":"0","model":"NVIDIA H100 80GB HBM3","memoryMiB":81559},{"id":"1","model":"NVIDIA H100 80GB HBM3","memoryMiB":81559}]""");
        f["cpuMillis"].ShouldBe("16000");
        f["memoryBytes"].ShouldBe((64L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture));
        f["limits"].ShouldBe("cgroup");
        f["limitsNote"].ShouldBe("cgroup v2 below /sys/fs/cgroup");
    }

    [Fact]
    public async Task Register_AgainWithoutResources_ClearsThem()
    {
        await _store.Worker.RegisterNodeAsync(new NodeRegistration("n1", "http://n1:1", "process", 4) { Resources = Resources }, Alive, Ct);
        await _store.Worker.RegisterNodeAsync(new NodeRegistration("n1", "http://n1:1", "process", 4), Alive, Ct);

        var node = (await _store.Reader.ListNodesAsync(Ct)).Single();
        node.Gpus.ShouldBeEmpty();
        node.CpuMillis.ShouldBe(0);
        node.MemoryBytes.ShouldBe(0);
        node.Limits.ShouldBe("none");
    }

    [Fact]
    public async Task ListNodes_JobsOnTheNode_InUseFromTheirGpuIdsAndFlatFieldsElseTheirSpec()
    {
        await _store.Worker.RegisterNodeAsync(new NodeRegistration("n1", "http://n1:1", "process", 4) { Resources = Resources }, Alive, Ct);
        var fromSpec = await SubmitAsync(new JobResources { Gpus = 1, Cpus = 1.5, MemoryBytes = 2L << 30 });
        var flat = await SubmitAsync(new JobResources { Gpus = 1, Cpus = 8, MemoryBytes = 8L << 30 });
        var db = _connection.GetDatabase();
        await db.HashSetAsync(RedisKeys.Job(fromSpec), "gpuIds", "1");
        // The flat fields placement writes at submit win over the spec.
        await db.HashSetAsync(RedisKeys.Job(flat), [new("gpuIds", "0"), new("cpuMillis", "500"), new("memoryBytes", (1L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        (await _store.Master.PlaceAsync(10, TimeSpan.FromSeconds(15), _epoch, Ct)).Count.ShouldBe(2);

        var node = (await _store.Reader.ListNodesAsync(Ct)).Single();

        node.Gpus.Select(g => g.Id).ShouldBe(["0", "1"]);
        node.Gpus[0].Model.ShouldBe("NVIDIA H100 80GB HBM3");
        node.GpusInUse.ShouldBe(["0", "1"]);
        node.CpuMillis.ShouldBe(16000);
        node.CpuMillisInUse.ShouldBe(1500 + 500);
        node.MemoryBytes.ShouldBe(64L << 30);
        node.MemoryBytesInUse.ShouldBe((2L << 30) + (1L << 30));
        node.Limits.ShouldBe("cgroup");
        node.LimitsNote.ShouldBe("cgroup v2 below /sys/fs/cgroup");
    }

    private async Task<string> SubmitAsync(JobResources resources)
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        await _store.Master.SubmitAsync(id, new JobSpec { Command = ["true"], Resources = resources }, JobOwner.Local, null, null, Ct);
        return id;
    }
}
