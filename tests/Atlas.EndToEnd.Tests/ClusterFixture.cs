using Atlas.Testing;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// One cluster for the end-to-end tests: the AppHost's model with 2 workers on the docker runtime,
/// started through Aspire.Hosting.Testing (<see cref="AppHostCluster"/>).
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string Image = "atlas-test/busybox:latest";

    /// <summary>The arguments of a docker cluster, for this fixture and the tests that start the AppHost process.</summary>
    public static readonly string[] Arguments = ["--runtime", "docker"];

    /// <summary>The workers' settings, as <c>Atlas__*</c> variables of the AppHost's environment.</summary>
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>
    {
        ["Atlas__Worker__Docker__DefaultImage"] = Image,
        ["Atlas__Worker__Docker__StopGracePeriod"] = "00:00:02",
    };

    public AppHostCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await RequireImageAsync();
        // The same settings as AppHost configuration keys (Atlas:Worker:...), which the AppHost hands to its services.
        Cluster = await AppHostCluster.StartAsync(workers: 2, Arguments,
            Environment.ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => e.Value), cancellationToken: TestContext.Current.CancellationToken);
    }

    /// <summary>Fails (under CI, never skips) when the Docker Engine lacks <see cref="Image"/>.</summary>
    public static async Task RequireImageAsync()
    {
        if (!await TestDocker.HasImageAsync(Image, CancellationToken.None))
        {
            throw TestEnvironment.Missing($"A Docker Engine with the local image {Image}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
