using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Atlas.Core.Net;
using Atlas.Testing;

namespace Atlas.AppHost.Tests.Orchestration;

/// <summary>The built AppHost run as a user runs it.</summary>
public sealed class AppHostProcessTests : IDisposable
{
    private readonly TempFolder _data = new("atlas-apphost");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Run_GatewayPortInUse_ErrorNamesPortAndStartsNothing()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var (code, output) = await RunAsync("--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--redis-port", LoopbackPorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), "--data", _data.Path);

        code.ShouldBe(1);
        output.ShouldContain($"error: port {port} is already in use (gateway)");
        Directory.GetFileSystemEntries(_data.Path).ShouldBeEmpty(); // nothing started, nothing written
    }

    [Fact]
    public async Task Run_AuthWithoutKeycloakImage_OneErrorLineSuggestingKeycloakUrl()
    {
        var free = () => LoopbackPorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (code, output) = await RunAsync("--auth", "--port", free(), "--redis-port", free(), "--dashboard-port", free(), "--keycloak-port", free(), "--data", _data.Path);

        code.ShouldBe(1);
        var errors = output.Split('\n').Where(l => l.Contains("error:", StringComparison.Ordinal)).ToList();
        errors.Count.ShouldBe(1, output);
        errors[0].ShouldContain("--keycloak-url");
        Directory.GetFileSystemEntries(_data.Path).ShouldBeEmpty(); // nothing started, nothing written
    }

    [Fact]
    public async Task Run_RuntimeDockerWithNoEngine_OneErrorLineAndStartsNothing()
    {
        var socket = Path.Combine(_data.Path, "no-engine.sock");

        var (code, output) = await RunWithDockerHostAsync($"unix://{socket}", "--runtime", "docker", "--data", Path.Combine(_data.Path, "data"));

        code.ShouldBe(1);
        var errors = output.Split('\n').Where(l => l.Contains("error:", StringComparison.Ordinal)).ToList();
        errors.Count.ShouldBe(1, output);
        errors[0].ShouldContain("--runtime docker, but no Docker Engine answers at unix://");
        errors[0].ShouldContain("--runtime process");
        Directory.Exists(Path.Combine(_data.Path, "data")).ShouldBeFalse(); // nothing started, nothing written
    }

    [Fact]
    public async Task Run_UnusableDockerHost_OneErrorLineNamingTheVariable()
    {
        var (code, output) = await RunWithDockerHostAsync("ssh://builder", "--runtime", "docker", "--data", Path.Combine(_data.Path, "data"));

        code.ShouldBe(1);
        var errors = output.Split('\n').Where(l => l.Contains("error:", StringComparison.Ordinal)).ToList();
        errors.Count.ShouldBe(1, output);
        errors[0].ShouldContain("DOCKER_HOST: 'ssh://builder' uses 'ssh://'");
        output.ShouldNotContain("Unhandled exception");
    }

    [Fact]
    public async Task Run_BadFlag_Exit2WithMessage()
    {
        var (code, output) = await RunAsync("--workers", "0");

        code.ShouldBe(2);
        output.ShouldContain("--workers must be between 1 and 64");
    }

    [Fact]
    public async Task Run_Help_PrintsUsage()
    {
        var (code, output) = await RunAsync("--help");

        code.ShouldBe(0);
        output.ShouldContain("--runtime");
    }

    private static Task<(int Code, string Output)> RunAsync(params string[] args) => RunWithDockerHostAsync(null, args);

    private static async Task<(int Code, string Output)> RunWithDockerHostAsync(string? dockerHost, params string[] args)
    {
        var info = ClusterProcess.AppHostStartInfo(typeof(AppHostProcessTests).Assembly);
        if (dockerHost is not null)
        {
            info.Environment["DOCKER_HOST"] = dockerHost;
        }
        var free = () => LoopbackPorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Every port the AppHost checks, free, so that only what a test is about can fail.
        if (!args.Contains("--port"))
        {
            args = [.. args, "--port", free(), "--redis-port", free()];
        }
        if (!args.Contains("--dashboard-port"))
        {
            args = [.. args, "--dashboard-port", free()];
        }
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
