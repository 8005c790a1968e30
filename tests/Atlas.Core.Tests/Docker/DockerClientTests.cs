using System.Net;
using System.Text;
using Atlas.Core.Docker;
using Atlas.Core.Net;
using Atlas.Testing;

namespace Atlas.Core.Tests.Docker;

/// <summary>The client against the real Docker Engine and the local busybox image.</summary>
public sealed class DockerClientTests : IAsyncDisposable
{
    private const string Image = "atlas-test/busybox:latest";

    private readonly DockerClient _docker = new(DockerEndpoint.Resolve(null));
    private readonly string _testId = Guid.NewGuid().ToString("N");
    private readonly List<string> _created = [];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private Dictionary<string, string> TestLabel => new() { ["atlas.test"] = _testId };

    [Fact]
    public async Task PingAsync_EngineRunning_IsTrue()
    {
        await RequireEngineAsync();

        (await _docker.PingAsync(Token)).ShouldBeTrue();
    }

    [Fact]
    public async Task PingAsync_NoSocket_IsFalse()
    {
        using var client = new DockerClient(DockerEndpoint.Parse("unix:///tmp/atlas-no-such-docker.sock"));

        (await client.PingAsync(Token)).ShouldBeFalse();
    }

    [Fact]
    public async Task PingAsync_NothingListensOnTcp_IsFalse()
    {
        using var client = new DockerClient(DockerEndpoint.Parse($"tcp://127.0.0.1:{LoopbackPorts.Next()}"));

        (await client.PingAsync(Token)).ShouldBeFalse();
    }

    [Fact]
    public async Task ListContainersAsync_NoEngine_ThrowsDockerExceptionNamingTheEndpoint()
    {
        using var client = new DockerClient(DockerEndpoint.Parse("unix:///tmp/atlas-no-such-docker.sock"));

        var error = await Should.ThrowAsync<DockerException>(() => client.ListContainersAsync(TestLabel, all: true, Token));

        error.StatusCode.ShouldBeNull();
        error.Message.ShouldContain("/tmp/atlas-no-such-docker.sock");
    }

    [Fact]
    public async Task ImageExistsAsync_LocalImage_IsTrue()
    {
        await RequireEngineAsync();

        (await _docker.ImageExistsAsync(Image, Token)).ShouldBeTrue();
    }

    [Fact]
    public async Task ImageExistsAsync_UnknownImage_IsFalse()
    {
        await RequireEngineAsync();

        (await _docker.ImageExistsAsync("atlas-test/does-not-exist:never", Token)).ShouldBeFalse();
    }

    [Fact]
    public async Task PullImageAsync_UnknownImage_ThrowsWithEngineMessage()
    {
        await RequireEngineAsync();

        var error = await Should.ThrowAsync<DockerException>(() => _docker.PullImageAsync("atlas-test/does-not-exist:never", Token));

        error.Message.ShouldNotBeNullOrWhiteSpace();
        error.Message.ShouldNotStartWith("{"); // the engine's message, not its JSON
    }

    [Fact]
    public async Task PullImageAsync_ErrorInsideProgressStream_ThrowsWithThatMessage()
    {
        string? requested = null;
        using var engine = new ScriptedEngine(request =>
        {
            requested = request.Url!.PathAndQuery;
            return (200, "{\"status\":\"Pulling from team/app\"}\n{\"errorDetail\":{\"message\":\"manifest unknown\"},\"error\":\"manifest unknown\"}\n");
        });
        using var client = new DockerClient(DockerEndpoint.Parse(engine.Address));

        var error = await Should.ThrowAsync<DockerException>(() => client.PullImageAsync("registry.local:5000/team/app", Token));

        error.Message.ShouldBe("manifest unknown");
        requested.ShouldBe("/v1.41/images/create?fromImage=registry.local%3A5000%2Fteam%2Fapp&tag=latest");
    }

    [Fact]
    public async Task ImageExistsAsync_EngineError_ThrowsWithStatusAndMessage()
    {
        using var engine = new ScriptedEngine(_ => (500, "{\"message\":\"the engine is unwell\"}"));
        using var client = new DockerClient(DockerEndpoint.Parse(engine.Address));

        var error = await Should.ThrowAsync<DockerException>(() => client.ImageExistsAsync("busybox", Token));

        error.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        error.Message.ShouldBe("the engine is unwell");
    }

    [Fact]
    public async Task CreateContainerAsync_UnknownImage_ThrowsNotFoundWithEngineMessage()
    {
        await RequireEngineAsync();

        var error = await Should.ThrowAsync<DockerException>(() => _docker.CreateContainerAsync(
            new ContainerSpec("atlas-test/does-not-exist:never", ["true"]) { Labels = TestLabel },
            Token));

        error.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        error.Message.ShouldContain("atlas-test/does-not-exist");
    }

    [Fact]
    public async Task ContainerLifecycle_ShortJob_ExitCodeLogsAndLabels()
    {
        await RequireEngineAsync();
        var spec = new ContainerSpec(Image, ["sh", "-c", "echo out1; echo err1 >&2; echo out2; echo \"$GREETING\"; exit 7"])
        {
            Name = $"atlas-client-test-{_testId}",
            Environment = new Dictionary<string, string> { ["GREETING"] = "hi there" },
            Labels = new Dictionary<string, string>(TestLabel) { ["atlas.extra"] = "x" },
            NetworkMode = "none",
            CapDrop = ["ALL"],
            SecurityOpt = ["no-new-privileges"],
            PidsLimit = 64,
            MemoryBytes = 64 * 1024 * 1024,
            NanoCpus = 500_000_000,
            Init = true,
        };

        var id = await CreateAsync(spec);
        var created = await _docker.InspectContainerAsync(id, Token);
        await _docker.StartContainerAsync(id, Token);
        var exitCode = await _docker.WaitContainerAsync(id, Token);
        var (stdout, stderr) = await ReadLogsAsync(id, follow: false);
        var listed = await _docker.ListContainersAsync(TestLabel, all: true, Token);

        created.ShouldNotBeNull();
        created.Name.ShouldBe(spec.Name);
        created.Status.ShouldBe("created");
        exitCode.ShouldBe(7);
        stdout.ShouldBe("out1\nout2\nhi there\n");
        stderr.ShouldBe("err1\n");
        var summary = listed.ShouldHaveSingleItem();
        summary.Id.ShouldBe(id);
        summary.State.ShouldBe("exited");
        summary.Labels["atlas.extra"].ShouldBe("x");
    }

    [Fact]
    public async Task StreamLogsAsync_FrameLargerThanBuffer_DeliversEveryByte()
    {
        await RequireEngineAsync();
        var id = await CreateAsync(new ContainerSpec(Image, ["sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a"]) { Labels = TestLabel, NetworkMode = "none" });

        await _docker.StartContainerAsync(id, Token);
        await _docker.WaitContainerAsync(id, Token);
        // Read once the container has ended: a follow stream may end before the engine has
        // written the last output (the runtime reads again for that; see DockerRuntime).
        var (stdout, _) = await ReadLogsAsync(id, follow: false);

        stdout.Length.ShouldBe(100000);
        stdout.ShouldAllBe(c => c == 'a');
    }

    [Fact]
    public async Task StopContainerAsync_IgnoresSigterm_KilledAfterGrace()
    {
        await RequireEngineAsync();
        var id = await CreateAsync(new ContainerSpec(Image, ["sh", "-c", "trap '' TERM; sleep 600"]) { Labels = TestLabel, NetworkMode = "none", Init = true });
        await _docker.StartContainerAsync(id, Token);

        await _docker.StopContainerAsync(id, TimeSpan.FromSeconds(1), Token);
        var details = await _docker.InspectContainerAsync(id, Token);

        details.ShouldNotBeNull();
        details.Running.ShouldBeFalse();
        details.ExitCode.ShouldBe(137);
    }

    [Fact]
    public async Task KillContainerAsync_Running_EndsItWithTheSignal()
    {
        await RequireEngineAsync();
        var id = await CreateAsync(new ContainerSpec(Image, ["sleep", "600"]) { Labels = TestLabel, NetworkMode = "none", Init = true });
        await _docker.StartContainerAsync(id, Token);

        await _docker.KillContainerAsync(id, "SIGKILL", Token);
        var exitCode = await _docker.WaitContainerAsync(id, Token);
        await _docker.KillContainerAsync(id, "SIGKILL", Token); // not running any more: fine

        exitCode.ShouldBe(137);
    }

    [Fact]
    public async Task RemoveContainerAsync_Running_ForceRemovesItAndUnknownIsFine()
    {
        await RequireEngineAsync();
        var id = await CreateAsync(new ContainerSpec(Image, ["sleep", "600"]) { Labels = TestLabel, NetworkMode = "none", Init = true });
        await _docker.StartContainerAsync(id, Token);

        await _docker.RemoveContainerAsync(id, force: true, Token);
        await _docker.RemoveContainerAsync(id, force: true, Token);

        (await _docker.InspectContainerAsync(id, Token)).ShouldBeNull();
        (await _docker.ListContainersAsync(TestLabel, all: true, Token)).ShouldBeEmpty();
    }

    [Fact]
    public async Task StartContainerAsync_CommandMissingWithoutInit_ThrowsWithEngineMessage()
    {
        await RequireEngineAsync();
        var id = await CreateAsync(new ContainerSpec(Image, ["no-such-program"]) { Labels = TestLabel, NetworkMode = "none" });

        var error = await Should.ThrowAsync<DockerException>(() => _docker.StartContainerAsync(id, Token));

        error.Message.ShouldContain("no-such-program");
    }

    [Fact]
    public void Resolve_Configured_WinsOverEnvironment()
    {
        var endpoint = DockerEndpoint.Resolve("unix:///run/user/1000/docker.sock");

        endpoint.SocketPath.ShouldBe("/run/user/1000/docker.sock");
    }

    [Theory]
    [InlineData("tcp://10.0.0.5:2375", "http://10.0.0.5:2375/")]
    [InlineData("http://docker-host:2375", "http://docker-host:2375/")]
    public void Parse_Tcp_IsPlainHttp(string address, string expected)
    {
        var endpoint = DockerEndpoint.Parse(address);

        endpoint.SocketPath.ShouldBeNull();
        endpoint.Address.ShouldBe(new Uri(expected));
    }

    [Theory]
    [InlineData("npipe:////./pipe/docker_engine")]
    [InlineData("https://docker-host:2376")]
    [InlineData("tcp://docker-host")]
    [InlineData("unix://")]
    [InlineData("not an address")]
    public void Parse_Unsupported_ThrowsFormatException(string address) =>
        Should.Throw<FormatException>(() => DockerEndpoint.Parse(address));

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _created)
        {
            await _docker.RemoveContainerAsync(id, force: true, CancellationToken.None);
        }
        _docker.Dispose();
    }

    private async Task<string> CreateAsync(ContainerSpec spec)
    {
        var id = await _docker.CreateContainerAsync(spec, Token);
        _created.Add(id);
        return id;
    }

    private async Task<(string Stdout, string Stderr)> ReadLogsAsync(string id, bool follow)
    {
        var stdout = new List<byte>();
        var stderr = new List<byte>();
        await _docker.StreamLogsAsync(
            id,
            follow,
            (stream, data) =>
            {
                (stream == LogStream.Stderr ? stderr : stdout).AddRange(data.Span);
                return ValueTask.CompletedTask;
            },
            Token);
        return (Encoding.UTF8.GetString([.. stdout]), Encoding.UTF8.GetString([.. stderr]));
    }

    private async Task RequireEngineAsync()
    {
        if (!await _docker.PingAsync(Token))
        {
            throw TestEnvironment.Missing("Docker Engine");
        }
        if (!await _docker.ImageExistsAsync(Image, Token))
        {
            throw TestEnvironment.Missing($"Docker image {Image}");
        }
    }
}
