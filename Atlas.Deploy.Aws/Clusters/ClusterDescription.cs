namespace Atlas.Deploy.Aws.Clusters;

/// <summary>
/// What the EC2 template is generated from, with nothing of Aspire in it: one master host (Redis,
/// the master, the gateway, the dashboards), the static worker hosts by name, the shared root that
/// every node mounts at the same path, the ports, and the Atlas settings each role gets besides
/// its wiring. The AppHost's publish step builds it from the app model; <c>atlas deploy aws</c>
/// builds it from its options.
/// </summary>
/// <param name="Workers">The static worker hosts, one instance each (dynamic workers come on top).</param>
/// <param name="SlotsPerWorker">Jobs per worker host (<c>NUM_WORKERS</c>).</param>
/// <param name="SharedRoot">The shared volume's path on every node.</param>
/// <param name="Ports">Where everything listens.</param>
/// <param name="MasterSettings">Extra settings for the master host's services (<c>Atlas__…</c>).</param>
/// <param name="WorkerSettings">Extra settings for every worker host (<c>Atlas__…</c>).</param>
public sealed record ClusterDescription(
    IReadOnlyList<string> Workers,
    int SlotsPerWorker,
    string SharedRoot,
    ClusterPorts Ports,
    IReadOnlyDictionary<string, string> MasterSettings,
    IReadOnlyDictionary<string, string> WorkerSettings)
{
    /// <summary>The shared root when nothing else is said: the same path the bare-metal bundle uses.</summary>
    public const string DefaultSharedRoot = "/atlas/shared";

    /// <summary>A cluster of <paramref name="workers"/> static workers named <c>worker-1</c>…, with the seed's ports.</summary>
    public static ClusterDescription Default(int workers, int slotsPerWorker = 2) => new(
        [.. Enumerable.Range(1, workers).Select(i => $"worker-{i}")],
        slotsPerWorker,
        DefaultSharedRoot,
        new ClusterPorts(),
        new Dictionary<string, string>(),
        new Dictionary<string, string>());
}
