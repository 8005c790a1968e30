using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using Atlas.Core.Storage;
using Atlas.Testing;
using Atlas.Worker.Resources;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;

namespace Atlas.Worker.Tests.Execution;

/// <summary>
/// The real worker host on a real redis-server: what it registers (GPUs declared or found by a
/// real nvidia-smi program, CPU, memory, limits), the GPUs it gives a job, and the time limit and
/// the out-of-memory kill, recorded through the normal fenced completion. The test plays the master.
/// </summary>
public sealed class WorkerResourcesTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string Image = "atlas-test/busybox:latest";
    private readonly TempFolder _shared = new("atlas-shared");
    private readonly List<WebApplicationFactory<Program>> _workers = [];
    private ConnectionMultiplexer _redis = null!;
    private JobStores _store = null!;
    private long _epoch;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _redis = await redis.ConnectEmptyAsync();
        _store = new JobStores(_redis);
        _epoch = await _store.Master.LeadAsync("test-master", TimeSpan.FromMinutes(5), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }
        await _redis.DisposeAsync();
        _shared.Dispose();
    }

    [Fact]
    public async Task Register_DeclaredGpusCpuMemory_WrittenToTheNode()
    {
        await StartWorkerAsync("declared", new() { ["Atlas:Worker:Gpus"] = "0,1,2", ["Atlas:Worker:Cpus"] = "3.5", ["Atlas:Worker:Memory"] = "6g" });

        var node = await NodeFieldsAsync("declared");

        node["gpus"].ShouldBe("0,1,2");
        JsonSerializer.Deserialize<List<NodeGpu>>(node["gpuInfo"], AtlasJson.Options).ShouldBe(
            [new NodeGpu("0", "declared", 0), new NodeGpu("1", "declared", 0), new NodeGpu("2", "declared", 0)]);
        node["cpuMillis"].ShouldBe("3500");
        node["memoryBytes"].ShouldBe((6L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture));
        node["limits"].ShouldBeOneOf("cgroup", "none");
        node["limitsNote"].ShouldNotBeNullOrWhiteSpace();
        var view = (await _store.Reader.ListNodesAsync(Ct)).Single(n => n.Name == "declared");
        view.Gpus.Select(g => g.Id).ShouldBe(["0", "1", "2"]);
        view.CpuMillis.ShouldBe(3500);
    }

    [Fact]
    public async Task Register_NothingDeclared_MachinesCpuAndMemoryAndNvidiaSmisGpus()
    {
        // A real program in nvidia-smi's place, printing what nvidia-smi prints on a two-GPU machine.
        var smi = _shared.Combine("nvidia-smi");
        File.WriteAllText(smi, """
            #!/bin/sh
            [ "$1" = "--query-gpu=index,uuid,name,memory.total" ] && [ "$2" = "--format=csv,noheader,nounits" ] || exit 2
            echo "0, GPU-5e1c2f3a-8b7d-4c6e-9f0a-1b2c3d4e5f60, NVIDIA A100-SXM4-40GB, 40960"
            echo "1, GPU-a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d, NVIDIA A100-SXM4-40GB, 40960"
            """);
        File.SetUnixFileMode(smi, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        await StartWorkerAsync("detected", new() { ["Atlas:Worker:NvidiaSmi"] = smi });

        var node = await NodeFieldsAsync("detected");
        node["gpus"].ShouldBe("0,1");
        JsonSerializer.Deserialize<List<NodeGpu>>(node["gpuInfo"], AtlasJson.Options)![1].ShouldBe(new NodeGpu("1", "NVIDIA A100-SXM4-40GB", 40960));
        var (cpu, memory) = MachineCapacity.Read();
        node["cpuMillis"].ShouldBe(cpu.ToString(System.Globalization.CultureInfo.InvariantCulture));
        node["memoryBytes"].ShouldBe(memory.ToString(System.Globalization.CultureInfo.InvariantCulture));
        long.Parse(node["memoryBytes"], System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Register_NvidiaSmiMissingOrHanging_NoGpuAndTheNodeStillRegisters()
    {
        var hanging = _shared.Combine("hanging-smi");
        File.WriteAllText(hanging, "#!/bin/sh\nsleep 60\n");
        File.SetUnixFileMode(hanging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        await StartWorkerAsync("no-smi", new() { ["Atlas:Worker:NvidiaSmi"] = "/no/such/nvidia-smi" });
        await StartWorkerAsync("hung-smi", new() { ["Atlas:Worker:NvidiaSmi"] = hanging, ["Atlas:Worker:NvidiaSmiTimeoutSeconds"] = "0.5" });

        (await NodeFieldsAsync("no-smi"))["gpus"].ShouldBe("");
        (await NodeFieldsAsync("hung-smi"))["gpus"].ShouldBe("");
    }

    [Theory]
    [InlineData("Atlas:Worker:Gpus", "0,0", "Atlas:Worker:Gpus must be a comma-separated list of distinct GPU ids")]
    [InlineData("Atlas:Worker:Gpus", "0,a b", "Atlas:Worker:Gpus must be")]
    [InlineData("Atlas:Worker:Cpus", "lots", "Atlas:Worker:Cpus must be a positive number")]
    [InlineData("Atlas:Worker:Memory", "8 gigs", "Atlas:Worker:Memory must be a size")]
    [InlineData("Atlas:Worker:Process:Cgroups", "maybe", "Atlas:Worker:Process:Cgroups must be 'auto' or 'off'")]
    [InlineData("Atlas:Worker:Process:CgroupRoot", "/no/such/cgroup", "Atlas:Worker:Process:CgroupRoot must be an existing")]
    public async Task Start_BadResourceSetting_FailsNamingIt(string key, string value, string message)
    {
        await using var worker = WorkerHost.Create(redis.ConnectionString, _shared.Path, "bad", drainGraceSeconds: "1", settings: new Dictionary<string, string> { [key] = value });

        var error = Should.Throw<Microsoft.Extensions.Options.OptionsValidationException>(() => worker.Server);

        error.Message.ShouldContain(message);
    }

    [Fact]
    public async Task Job_AssignedGpus_SeesThemInCudaVisibleDevices()
    {
        await StartWorkerAsync("gpu-node", new() { ["Atlas:Worker:Gpus"] = "0,1,2,3" });

        var id = await SubmitAndPlaceAsync("gpu-node", new JobSpec { Command = ["/bin/sh", "-c", "echo \"$CUDA_VISIBLE_DEVICES\""], Resources = new JobResources { Gpus = 2 } }, gpuIds: "1,3");
        var job = await WaitEndedAsync(id);

        job.State.ShouldBe(JobState.Succeeded, job.Reason);
        var seen = File.ReadAllText(Path.Combine(_shared.Path, "jobs", id, "logs", "stdout.log")).Trim();
        seen.ShouldBe(string.Join(',', job.GpuIds)); // the ids placement wrote for this attempt
        seen.ShouldNotBeEmpty();
    }

    [Theory]
    [InlineData("process")]
    [InlineData("docker")]
    public async Task Job_OverItsTimeLimit_StoppedAndFailedTimeLimit(string runtime)
    {
        if (runtime == "docker")
        {
            await RequireDockerAsync();
        }
        var node = $"limit-{runtime}";
        await StartWorkerAsync(node, new() { ["Atlas:Worker:Runtime"] = runtime, ["Atlas:Worker:Docker:DefaultImage"] = Image, ["Atlas:Worker:Docker:Network"] = "none", ["Atlas:Worker:Docker:StopGracePeriod"] = "00:00:01" });

        var id = await SubmitAndPlaceAsync(node, new JobSpec { Command = ["sh", "-c", "echo begun; sleep 60"], TimeLimitSeconds = 2 });
        var job = await WaitEndedAsync(id);

        job.State.ShouldBe(JobState.Failed);
        job.Reason.ShouldBe("time limit");
        (job.FinishedAt!.Value - job.StartedAt!.Value).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9));
        File.ReadAllText(Path.Combine(_shared.Path, "jobs", id, "logs", "stdout.log")).ShouldBe("begun\n");
    }

    [Theory]
    [InlineData("process")]
    [InlineData("docker")]
    public async Task Job_OverItsMemoryLimit_FailedOutOfMemory(string runtime)
    {
        var node = $"oom-{runtime}";
        if (runtime == "docker")
        {
            await RequireDockerAsync();
        }
        await StartWorkerAsync(node, new() { ["Atlas:Worker:Runtime"] = runtime, ["Atlas:Worker:Docker:DefaultImage"] = Image, ["Atlas:Worker:Docker:Network"] = "none" });
        var limits = (await NodeFieldsAsync(node))["limits"];
        TestContext.Current.TestOutputHelper?.WriteLine($"{node}: limits={limits}: {(await NodeFieldsAsync(node))["limitsNote"]}");
        // The docker runtime always enforces limits; the process runtime needs job cgroups, which CI (root) has.
        if (runtime == "docker")
        {
            limits.ShouldNotBe("none", "the docker runtime enforces memory limits");
        }
        if (limits == "none")
        {
            throw TestEnvironment.Missing($"Job cgroups on {node} ({(await NodeFieldsAsync(node))["limitsNote"]})");
        }

        var id = await SubmitAndPlaceAsync(node, new JobSpec { Command = ["sh", "-c", "head -c 100m /dev/zero | tail"], Resources = new JobResources { MemoryBytes = 16L << 20 } });
        var job = await WaitEndedAsync(id);

        job.State.ShouldBe(JobState.Failed);
        job.Reason.ShouldBe("out of memory");
        job.ExitCode.ShouldBe(137);
    }

    private async Task StartWorkerAsync(string node, Dictionary<string, string> settings)
    {
        var worker = WorkerHost.Create(redis.ConnectionString, _shared.Path, node, drainGraceSeconds: "1", heartbeatSeconds: "0.5", settings: settings);
        _workers.Add(worker);
        _ = worker.Server;
        await JobWaits.WaitForAsync(async () => (await _redis.GetDatabase().HashGetAsync(RedisKeys.Node(node), "state")) == "ready", Ct);
    }

    private async Task<Dictionary<string, string>> NodeFieldsAsync(string node) =>
        (await _redis.GetDatabase().HashGetAllAsync(RedisKeys.Node(node))).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);

    /// <summary>Submits, and places on <paramref name="node"/>; <paramref name="gpuIds"/> stands in for placement's GPU choice where placement does not make one.</summary>
    private async Task<string> SubmitAndPlaceAsync(string node, JobSpec spec, string? gpuIds = null)
    {
        var id = JobId.New(DateTimeOffset.UtcNow);
        Directory.CreateDirectory(Path.Combine(_shared.Path, "jobs", id, "work"));
        await _store.Master.SubmitAsync(id, spec with { Project = "demo" }, JobOwner.Local, null, null, Ct);
        if (gpuIds is not null && (await _redis.GetDatabase().HashGetAsync(RedisKeys.Job(id), "gpuIds")).IsNullOrEmpty)
        {
            await _redis.GetDatabase().HashSetAsync(RedisKeys.Job(id), "gpuIds", gpuIds);
        }
        await JobWaits.WaitForAsync(async () => (await _store.Master.PlaceAsync(10, TimeSpan.FromSeconds(15), _epoch, Ct)).Count > 0, Ct);
        (await _store.Reader.GetAsync(id, Ct))!.View.Node.ShouldBe(node);
        return id;
    }

    private Task<JobView> WaitEndedAsync(string id) => JobWaits.WaitEndedAsync(_store.Reader, id, Ct);

    private static async Task RequireDockerAsync()
    {
        if (!await TestDocker.HasImageAsync(Image, CancellationToken.None))
        {
            throw TestEnvironment.Missing($"A Docker Engine with the local image {Image}");
        }
    }
}
