using Atlas.Core.Containers;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Atlas.AppHost.Preflight;

/// <summary>
/// What the AppHost asks the local Docker Engine before and after a run (Docker.DotNet.Enhanced),
/// at the address <c>DOCKER_HOST</c> names (<see cref="DockerAddress"/>). An address Atlas cannot use
/// is not thrown: <see cref="AddressError"/> says why, and the engine counts as not answering.
/// </summary>
internal sealed class DockerProbe : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private readonly DockerClient? _client;

    public DockerProbe()
    {
        try
        {
            Address = DockerAddress.Resolve(null);
        }
        catch (FormatException ex)
        {
            AddressError = $"DOCKER_HOST: {ex.Message}";
            return;
        }
        _client = new DockerClientBuilder().WithEndpoint(Address).WithTimeout(Timeout).Build();
    }

    /// <summary>The engine's address, or null when <see cref="AddressError"/> says why there is none.</summary>
    public Uri? Address { get; }

    /// <summary>Why <c>DOCKER_HOST</c> cannot be used, or null.</summary>
    public string? AddressError { get; }

    /// <summary>True when an engine answers a ping.</summary>
    public async Task<bool> AnswersAsync(CancellationToken cancellationToken)
    {
        if (_client is null)
        {
            return false;
        }
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
        ArgumentNullException.ThrowIfNull(_client, nameof(Address));
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
        ArgumentNullException.ThrowIfNull(_client, nameof(Address));
        var filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{label}={value}"] = true } };
        var containers = await _client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filters }, cancellationToken);
        foreach (var container in containers)
        {
            await _client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true }, cancellationToken);
        }
        return [.. containers.Select(c => c.ID[..12])];
    }

    public void Dispose() => _client?.Dispose();
}
