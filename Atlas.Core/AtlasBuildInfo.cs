using System.Reflection;

namespace Atlas.Core;

/// <summary>
/// Where the repository and its build output are, for programs that start the built services
/// (the AppHost, the end-to-end tests, the benchmark). Projects that set
/// <c>AtlasEmbedBuildInfo</c> get the metadata this reads (see Directory.Build.props).
/// </summary>
public static class AtlasBuildInfo
{
    /// <summary>The repository <paramref name="built"/> was built from (its files, such as the Keycloak realm, are read from there).</summary>
    public static string RepoRoot(Assembly built) => Metadata(built, "AtlasRepoRoot");

    /// <summary>The built dll of <paramref name="project"/> (e.g. <c>Atlas.Master</c>), in the same configuration as <paramref name="built"/>.</summary>
    public static string ProjectDll(Assembly built, string project)
    {
        var configuration = Metadata(built, "AtlasConfiguration");
        return Path.Combine(RepoRoot(built), project, "bin", configuration, "net10.0", project + ".dll");
    }

    private static string Metadata(Assembly built, string key) =>
        built.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"{built.GetName().Name} was built without AtlasEmbedBuildInfo.");
}
