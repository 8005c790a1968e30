using Atlas.Core.Containers;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Atlas.Testing;

/// <summary>The local Docker Engine, for tests that check what Atlas left there (Docker.DotNet).</summary>
public static class TestDocker
{
    /// <summary>A client for <c>DOCKER_HOST</c>, else the engine's usual socket.</summary>
    public static DockerClient Connect() =>
        new DockerClientBuilder().WithEndpoint(DockerAddress.Resolve(null)).Build();

    /// <summary>Whether an engine answers and has <paramref name="image"/> locally.</summary>
    public static async Task<bool> HasImageAsync(string image, CancellationToken cancellationToken)
    {
        using var docker = Connect();
        try
        {
            await docker.Images.InspectImageAsync(image, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or DockerApiException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>The ids of every container (running or not) labelled <paramref name="label"/>=<paramref name="value"/>; none when no engine answers.</summary>
    public static async Task<IReadOnlyList<string>> ContainersAsync(string label, string value, CancellationToken cancellationToken)
    {
        using var docker = Connect();
        try
        {
            await docker.System.PingAsync(cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or DockerApiException or System.Net.Sockets.SocketException)
        {
            return []; // no engine: none can hold a container of ours
        }
        var filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{label}={value}"] = true } };
        return [.. (await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filters }, cancellationToken)).Select(c => c.ID)];
    }

    /// <summary>The containers of the cluster <paramref name="clusterId"/>.</summary>
    public static Task<IReadOnlyList<string>> ClusterContainersAsync(string clusterId, CancellationToken cancellationToken) =>
        ContainersAsync(ContainerLabels.Cluster, clusterId, cancellationToken);

    /// <summary>The names of every network and volume labelled <paramref name="label"/>=<paramref name="value"/> (what <c>docker-compose down -v</c> must remove).</summary>
    public static async Task<(IReadOnlyList<string> Networks, IReadOnlyList<string> Volumes)> NetworksAndVolumesAsync(string label, string value, CancellationToken cancellationToken)
    {
        using var docker = Connect();
        var filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{label}={value}"] = true } };
        var networks = await docker.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filters }, cancellationToken);
        var volumes = await docker.Volumes.ListAsync(new VolumesListParameters { Filters = filters }, cancellationToken);
        return ([.. networks.Select(n => n.Name)], [.. (volumes.Volumes ?? []).Select(v => v.Name)]);
    }
}
