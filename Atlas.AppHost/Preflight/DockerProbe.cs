using Atlas.Core.Containers;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Atlas.AppHost.Preflight;

/// <summary>What the AppHost asks the local Docker Engine before and after a run (Docker.DotNet.Enhanced).</summary>
internal sealed class DockerProbe : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private readonly DockerClient _client;

    public DockerProbe()
    {
        _client = new DockerClientBuilder()
            .WithEndpoint(DockerAddress.Resolve(null))
            .WithTimeout(Timeout)
            .Build();
    }

    /// <summary>True when an engine answers a ping.</summary>
    public async Task<bool> AnswersAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            await _client.System.PingAsync(timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or TimeoutException
            or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>True when the engine has <paramref name="image"/> locally (nothing is pulled).</summary>
    public async Task<bool> HasImageAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Images.InspectImageAsync(image, cancellationToken);
            return true;
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Removes every container, running or not, labelled <paramref name="label"/>=<paramref name="value"/>; returns their short ids.</summary>
    public async Task<IReadOnlyList<string>> RemoveLabelledAsync(string label, string value, CancellationToken cancellationToken)
    {
        var filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{label}={value}"] = true } };
        var containers = await _client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filters }, cancellationToken);
        foreach (var container in containers)
        {
            await _client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, cancellationToken);
        }
        return [.. containers.Select(c => c.ID[..12])];
    }

    public void Dispose() => _client.Dispose();
}
