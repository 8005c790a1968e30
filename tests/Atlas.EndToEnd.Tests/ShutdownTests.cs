using Atlas.Core.Containers;
using Atlas.Testing;

namespace Atlas.EndToEnd.Tests;

/// <summary>Ctrl+C stops everything the AppHost started, and a second run on the same data starts cleanly.</summary>
public sealed class ShutdownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CtrlC_WithRunningJob_LeavesNoProcessOrContainerAndRestartsCleanly()
    {
        await ClusterFixture.RequireImageAsync();
        var cluster = await StartAsync(dataDir: null);
        using var home = new TempFolder("atlas-home");
        using var project = new TempFolder("atlas-project");
        File.WriteAllText(project.Combine("a.txt"), "a\n");
        var cli = new AtlasCli(cluster.GatewayUrl, home.Path);
        var id = (await cli.RunAsync("submit", project.Path, "--", "sleep", "300")).Stdout.Trim();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await TestDocker.ContainersAsync(ContainerLabels.Job, id, Ct)).Count == 0)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, cluster.Output);
            await Task.Delay(100, Ct);
        }

        var exitCode = await cluster.StopAsync(TimeSpan.FromSeconds(60));

        exitCode.ShouldBe(0, cluster.Output);
        cluster.ProcessesLeft().ShouldBeEmpty(cluster.Output);
        (await TestDocker.ContainersAsync(ContainerLabels.Job, id, Ct)).ShouldBeEmpty(cluster.Output);
        await cluster.DisposeAsync(keepData: true);

        await using var second = await StartAsync(cluster.DataDir);
        var restarted = await new AtlasCli(second.GatewayUrl, home.Path).RunAsync("status", id, "--output", "json");
        restarted.ExitCode.ShouldBe(0, second.Output); // the job survived the restart in Redis's append-only file
    }

    // The built AppHost as a process (Ctrl+C is a signal to it), with the docker cluster's settings.
    private static Task<ClusterProcess> StartAsync(string? dataDir) =>
        ClusterProcess.StartAsync(typeof(ShutdownTests).Assembly, workers: 2, ClusterFixture.Arguments, ClusterFixture.Environment, dataDir, cancellationToken: Ct);
}
