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
        var first = new ClusterFixture();
        await first.InitializeAsync();
        var cluster = first.Cluster;
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

        var second = new ClusterFixture();
        await second.InitializeAsync(cluster.DataDir);
        var restarted = await new AtlasCli(second.Cluster.GatewayUrl, home.Path).RunAsync("status", id, "--output", "json");
        restarted.ExitCode.ShouldBe(0, second.Cluster.Output); // the job survived the restart in Redis's append-only file
        await second.DisposeAsync();
    }
}
