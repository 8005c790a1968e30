using Atlas.Testing;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// One cluster for the end-to-end tests: the AppHost with 2 workers on the docker runtime, as a
/// user starts it. Disposing it stops it as Ctrl+C does and records what was left behind.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string Image = "atlas-test/busybox:latest";

    public ClusterProcess Cluster { get; private set; } = null!;

    public ValueTask InitializeAsync() => InitializeAsync(dataDir: null);

    /// <summary>Starts the cluster, on <paramref name="dataDir"/> when given (a second run on the same data).</summary>
    public async ValueTask InitializeAsync(string? dataDir)
    {
        if (!await TestDocker.HasImageAsync(Image, CancellationToken.None))
        {
            throw TestEnvironment.Missing($"A Docker Engine with the local image {Image}");
        }
        Cluster = await ClusterProcess.StartAsync(typeof(ClusterFixture).Assembly, workers: 2, ["--runtime", "docker"],
            new Dictionary<string, string>
            {
                ["Atlas__Worker__Docker__DefaultImage"] = Image,
                ["Atlas__Worker__Docker__StopGracePeriod"] = "00:00:02",
            },
            dataDir);
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
