namespace Atlas.AppHost.Publishing;

/// <summary>
/// One resource of the app model as every deploy target needs it: what runs (a .NET project from
/// this repo, or a container image), where it listens, its environment and arguments, its volumes.
/// Built by <see cref="ServiceCatalog"/>; the compose, bare-metal and EC2 targets only render it.
/// </summary>
/// <param name="Name">The resource's name (<c>worker-1</c>).</param>
/// <param name="Role">What it is, for the targets that place services on hosts.</param>
/// <param name="Project">The project's path relative to the repository root (<c>Atlas.Master/Atlas.Master.csproj</c>), or null for an image.</param>
/// <param name="Image">The container image (<c>docker.io/library/redis:8.6</c>), or null for a project.</param>
/// <param name="Entrypoint">The image's entrypoint override, or null.</param>
/// <param name="Args">Its arguments.</param>
/// <param name="Endpoints">What it listens on.</param>
/// <param name="Environment">Its variables, sorted by name.</param>
/// <param name="Mounts">Its volumes and files.</param>
/// <param name="DependsOn">The services it waits for (<c>WaitFor</c>), sorted.</param>
public sealed record DeployableService(
    string Name,
    ServiceRole Role,
    string? Project,
    string? Image,
    string? Entrypoint,
    IReadOnlyList<DeployValue> Args,
    IReadOnlyList<DeployEndpoint> Endpoints,
    IReadOnlyList<KeyValuePair<string, DeployValue>> Environment,
    IReadOnlyList<DeployMount> Mounts,
    IReadOnlyList<string> DependsOn)
{
    /// <summary>The project's assembly name (<c>Atlas.Master</c>), or null for an image.</summary>
    public string? Assembly => Project is null ? null : Path.GetFileNameWithoutExtension(Project);

    /// <summary>The endpoint named <paramref name="name"/>.</summary>
    public DeployEndpoint EndpointNamed(string name) =>
        Endpoints.FirstOrDefault(e => e.Name == name)
        ?? throw new InvalidOperationException($"{Name} has no endpoint '{name}'");

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public DeployValue? Variable(string key) => Environment.FirstOrDefault(e => e.Key == key).Value;
}
