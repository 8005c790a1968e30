using Atlas.Testing;
using Atlas.EndToEnd.Tests;

namespace Atlas.Dashboard.Tests.Browser;

/// <summary>
/// The cluster started through the AppHost (one worker of four slots and two declared GPUs, process runtime, single-user mode), its
/// dashboard on a free port, and one headless chromium for the tests of a class.
/// </summary>
public sealed class DashboardClusterFixture : IAsyncLifetime
{
    public AppHostCluster Cluster { get; private set; } = null!;

    public Chromium Chromium { get; private set; } = null!;

    public HttpClient Gateway { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Chromium = await Chromium.LaunchAsync();
        Cluster = await AppHostCluster.StartAsync(workers: 1, ["--runtime", "process", "--slots", "4", "--gpus-per-worker", "2"], cancellationToken: TestContext.Current.CancellationToken);
        Gateway = new HttpClient { BaseAddress = new Uri(Cluster.GatewayUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async ValueTask DisposeAsync()
    {
        Gateway?.Dispose();
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
        if (Chromium is not null)
        {
            await Chromium.DisposeAsync();
        }
    }
}
