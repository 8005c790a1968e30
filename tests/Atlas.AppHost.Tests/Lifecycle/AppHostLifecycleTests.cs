using System.Diagnostics;
using Atlas.Testing;

namespace Atlas.AppHost.Tests.Lifecycle;

/// <summary>The built AppHost started as a user starts it, healthy, stopped with a signal, and started again.</summary>
public sealed class AppHostLifecycleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("SIGINT")]
    [InlineData("SIGTERM")]
    public async Task Run_StoppedBySignal_PrintsUrlsLeavesNoProcessAndRestartsCleanly(string signal)
    {
        var cluster = await ClusterProcess.StartAsync(typeof(AppHostLifecycleTests).Assembly, workers: 1, ["--runtime", "process"], cancellationToken: Ct);
        cluster.Output.ShouldContain("dashboard:     http://localhost:");
        cluster.Output.ShouldContain($"gateway:       {cluster.GatewayUrl}");
        cluster.Output.ShouldContain($"shared volume: {cluster.SharedRoot}");

        (await cluster.StopAsync(TimeSpan.FromSeconds(60), signal)).ShouldBe(0, cluster.Output);
        await WaitGoneAsync(cluster);
        await cluster.DisposeAsync(keepData: true);

        await using var second = await ClusterProcess.StartAsync(typeof(AppHostLifecycleTests).Assembly, workers: 1, ["--runtime", "process"], dataDir: cluster.DataDir, cancellationToken: Ct);
        second.Output.ShouldNotContain("error:");
    }

    [Fact]
    public async Task Run_NoRedisOrGarnet_OneLineSayingHowToInstallRedis()
    {
        var info = ClusterProcess.AppHostStartInfo(typeof(AppHostLifecycleTests).Assembly);
        info.Environment["PATH"] = "/nonexistent";
        info.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(new FileInfo("/usr/bin/dotnet").ResolveLinkTarget(true)?.FullName ?? "/usr/share/dotnet/dotnet")!;
        info.ArgumentList.Add("--redis-port");
        info.ArgumentList.Add(Atlas.Core.Net.LoopbackPorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(Atlas.Core.Net.LoopbackPorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--dashboard-port");
        info.ArgumentList.Add(Atlas.Core.Net.LoopbackPorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        var output = await stdout + await stderr;

        process.ExitCode.ShouldBe(1, output);
        output.Trim().Split('\n').Length.ShouldBe(1, output);
        output.ShouldContain("apt-get install redis-server");
    }

    // DCP stops the services after the AppHost has exited; give it a while.
    private static async Task WaitGoneAsync(ClusterProcess cluster)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (cluster.ProcessesLeft().Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, Ct);
        }
        cluster.ProcessesLeft().ShouldBeEmpty(cluster.Output);
    }
}
