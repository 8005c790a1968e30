namespace Atlas.EndToEnd.Tests;

/// <summary>One cluster for a test class: the AppHost's model with one worker on the process runtime, single-user mode.</summary>
public sealed class ProcessClusterFixture : IAsyncLifetime
{
    public AppHostCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Cluster = await AppHostCluster.StartAsync(workers: 1, ["--runtime", "process"], cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
