using System.Globalization;
using Atlas.Deploy.Aws.Clusters;

namespace Atlas.AppHost.Publishing.Ec2;

/// <summary>
/// The EC2 description of the app model: one static worker host per worker resource, its slots,
/// the shared root, and each role's own <c>Atlas__…</c> settings, without what a node sets for
/// itself at boot (its name, address, Redis, the shared root, the cluster id).
/// </summary>
internal static class Ec2ClusterDescription
{
    private static readonly HashSet<string> SetAtBoot = new(StringComparer.Ordinal)
    {
        "Atlas__SharedRoot", "Atlas__Cluster", "Atlas__Master__Name", "Atlas__Worker__Name", "Atlas__Worker__Slots",
    };

    public static async Task<ClusterDescription> FromModelAsync(DistributedApplicationModel model, CancellationToken cancellationToken)
    {
        var workers = new List<string>();
        var slots = 2;
        var sharedRoot = ClusterDescription.DefaultSharedRoot;
        var master = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var worker = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in model.Resources.OfType<ProjectResource>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var project = resource.TryGetLastAnnotation<IProjectMetadata>(out var metadata)
                ? Path.GetFileNameWithoutExtension(metadata.ProjectPath) : "";
            // The one public way to read a resource's environment in 13.6 is marked obsolete (ASPIRE.md, Publishing).
#pragma warning disable CS0618
            var env = await resource.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);
#pragma warning restore CS0618
            if (env.TryGetValue("Atlas__SharedRoot", out var root) && root.StartsWith('/'))
            {
                sharedRoot = root;
            }
            var settings = project switch
            {
                "Atlas.Master" => master,
                "Atlas.Worker" => worker,
                _ => null,
            };
            if (settings is null)
            {
                continue;
            }
            if (project == "Atlas.Worker")
            {
                workers.Add(resource.Name);
                if (env.TryGetValue("Atlas__Worker__Slots", out var s) && int.TryParse(s, CultureInfo.InvariantCulture, out var n))
                {
                    slots = n;
                }
            }
            // Only plain values: references ({redis.connectionString}) are wired at boot instead.
            foreach (var (key, value) in env.Where(e => e.Key.StartsWith("Atlas__", StringComparison.Ordinal) && !SetAtBoot.Contains(e.Key) && !e.Value.Contains('{', StringComparison.Ordinal)))
            {
                settings[key] = value;
            }
        }
        return new ClusterDescription(workers, slots, sharedRoot, new ClusterPorts(), master, worker);
    }
}
