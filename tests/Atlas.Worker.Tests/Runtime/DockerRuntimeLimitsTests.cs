using Atlas.Core.Jobs;
using Atlas.Testing;
using Atlas.Worker.Runtime;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atlas.Worker.Tests.Runtime;

/// <summary>
/// The docker runtime puts a job's GPUs, CPU, memory and pids limit on its container: containers
/// made from the runtime's own spec on the real Docker Engine and inspected, and real runs
/// (an out-of-memory kill; a GPU job on an engine without NVIDIA's runtime).
/// </summary>
public sealed class DockerRuntimeLimitsTests : IAsyncDisposable
{
    private const string Image = "atlas-test/busybox:latest";

    private readonly TempFolder _job = new("atlas-docker-limits");
    private readonly DockerClient _docker = DockerEngine.Connect(null);
    private readonly DockerRuntime _runtime;
    private readonly RecordingOutput _output = new();
    private readonly string _jobId = JobId.New(DateTimeOffset.UtcNow);

    public DockerRuntimeLimitsTests()
    {
        Directory.CreateDirectory(_job.Combine("work"));
        Directory.CreateDirectory(_job.Combine("artifacts"));
        _runtime = new DockerRuntime(
            Microsoft.Extensions.Options.Options.Create(new DockerRuntimeOptions
            {
                DefaultImage = Image,
                Network = "none",
                StopGracePeriod = TimeSpan.FromSeconds(1),
                PidsLimit = 256,
                NodeName = "limits-node",
                Cluster = "atlas-tests",
            }),
            NullLogger<DockerRuntime>.Instance);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        _runtime.Dispose(); // waits for the removals it started
        try
        {
            await _docker.Containers.RemoveContainerAsync($"atlas-{_jobId}", new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (Exception e) when (e is HttpRequestException or IOException or DockerApiException)
        {
        }
        _docker.Dispose();
        _job.Dispose();
    }

    [Fact]
    public async Task CreatedContainer_HasTheJobsGpusCpuMemoryAndPidsLimit()
    {
        await RequireEngineAsync();
        var spec = _runtime.BuildSpec(Launch(["true"]) with { GpuIds = ["1", "3"], Cpus = 1.5, MemoryBytes = 256L << 20 }, Image);

        var created = await _docker.Containers.CreateContainerAsync(spec, Token);
        var inspected = await _docker.Containers.InspectContainerAsync(created.ID, Token);
        var host = inspected.HostConfig.ShouldNotBeNull();

        var request = host.DeviceRequests.ShouldHaveSingleItem();
        request.Driver.ShouldBe("nvidia");
        request.DeviceIDs.ShouldBe(["1", "3"]);
        request.Capabilities.ShouldHaveSingleItem().ShouldBe(["gpu"]);
        host.NanoCPUs.ShouldBe(1_500_000_000);
        host.Memory.ShouldBe(256L << 20);
        host.MemorySwap.ShouldBe(256L << 20); // no swap beyond the limit
        host.PidsLimit.ShouldBe(256);
        inspected.Config.ShouldNotBeNull().Env.ShouldContain("NVIDIA_VISIBLE_DEVICES=1,3");
    }

    [Fact]
    public async Task CreatedContainer_NoGpuNoLimits_NoDeviceRequestAndNoneVisible()
    {
        await RequireEngineAsync();
        var spec = _runtime.BuildSpec(Launch(["true"]), Image);

        var created = await _docker.Containers.CreateContainerAsync(spec, Token);
        var inspected = await _docker.Containers.InspectContainerAsync(created.ID, Token);

        var host = inspected.HostConfig.ShouldNotBeNull();
        (host.DeviceRequests ?? []).ShouldBeEmpty();
        host.Memory.ShouldBe(0);
        host.NanoCPUs.ShouldBe(0);
        host.PidsLimit.ShouldBe(256);
        inspected.Config.ShouldNotBeNull().Env.ShouldContain("NVIDIA_VISIBLE_DEVICES=void");
    }

    [Fact]
    public async Task RunAsync_GpuJobOnAnEngineWithoutNvidia_FailsAtOnceWithTheEnginesReason()
    {
        await RequireEngineAsync();
        var info = await _docker.System.GetSystemInfoAsync(Token);
        if (info.Runtimes?.ContainsKey("nvidia") == true)
        {
            Assert.Skip("This engine has NVIDIA's runtime: a GPU job would start here.");
        }

        var run = _runtime.RunAsync(Launch(["true"]) with { GpuIds = ["0"] }, Token);
        var error = await Should.ThrowAsync<JobStartException>(run.WaitAsync(TimeSpan.FromSeconds(60), Token));

        TestContext.Current.TestOutputHelper?.WriteLine(error.Message);
        error.Message.ShouldStartWith("The container did not start:");
        error.Message.ShouldContain("nvidia", Case.Insensitive);
    }

    [Fact]
    public async Task RunAsync_OverItsMemoryLimit_OomKilledAndReportedOutOfMemory()
    {
        await RequireEngineAsync();
        var outOfMemory = false;

        var exitCode = await _runtime.RunAsync(
            Launch(["sh", "-c", "head -c 100m /dev/zero | tail"]) with { MemoryBytes = 16L << 20, OutOfMemory = () => outOfMemory = true }, Token);

        exitCode.ShouldBe(137);
        outOfMemory.ShouldBeTrue();
    }

    [Fact]
    public async Task RunAsync_FailsWithinItsLimit_NotReportedOutOfMemory()
    {
        await RequireEngineAsync();
        var outOfMemory = false;

        var exitCode = await _runtime.RunAsync(Launch(["sh", "-c", "kill -9 $$"]) with { MemoryBytes = 64L << 20, OutOfMemory = () => outOfMemory = true }, Token);

        exitCode.ShouldBe(137);
        outOfMemory.ShouldBeFalse();
    }

    [Fact]
    public async Task LimitsAsync_EngineEnforcesThem_Docker()
    {
        await RequireEngineAsync();

        var (limits, note) = await _runtime.LimitsAsync(Token);

        TestContext.Current.TestOutputHelper?.WriteLine($"limits={limits}: {note}");
        limits.ShouldBe("docker");
        note.ShouldContain("Docker Engine");
    }

    private JobLaunch Launch(IReadOnlyList<string> command) =>
        new(_jobId, null, command, new Dictionary<string, string>(), _job.Combine("work"), _job.Combine("artifacts"), _output);

    private async Task RequireEngineAsync()
    {
        try
        {
            await _docker.System.PingAsync(Token);
            await _docker.Images.InspectImageAsync(Image, Token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or DockerApiException)
        {
            throw TestEnvironment.Missing($"A Docker Engine with the image {Image}");
        }
    }
}
