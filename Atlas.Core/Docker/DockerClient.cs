using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Atlas.Core.Docker.Api;

namespace Atlas.Core.Docker;

/// <summary>
/// A small client for the parts of the Docker Engine HTTP API Atlas uses: images, the container
/// lifecycle, logs and listing by label. Thread-safe; one instance per endpoint is enough.
/// Every method except <see cref="PingAsync"/> throws <see cref="DockerException"/> when the
/// engine refuses the request or cannot be reached.
/// </summary>
public sealed class DockerClient : IDisposable
{
    // The API version Atlas is written and tested against. An engine that no longer accepts it
    // (Docker 29 raised its minimum to 1.44) is spoken to in its own minimum version instead:
    // the few fields used here have kept their meaning across versions.
    private static readonly Version PreferredApiVersion = new(1, 41);

    private readonly HttpClient _http;
    private readonly SemaphoreSlim _versionLock = new(1, 1);
    private string? _versionPrefix;

    public DockerClient(DockerEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        if (endpoint.SocketPath is { } socketPath)
        {
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        _http = new HttpClient(handler)
        {
            // The host name only fills the Host header when the socket is a file.
            BaseAddress = endpoint.SocketPath is null ? endpoint.Address : new Uri("http://docker/"),
            // Waits and followed logs last as long as the job; callers bound calls with their token.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The engine this client talks to.</summary>
    public DockerEndpoint Endpoint { get; }

    /// <summary>Whether the engine answers. False when it cannot be reached; never throws for that.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Get, "_ping", null, versioned: false, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (DockerException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The connect timeout, not the caller, gave up.
            return false;
        }
    }

    /// <summary>Whether <paramref name="image"/> (e.g. <c>python:3.12-slim</c>) is present on the engine.</summary>
    public async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        using var response = await SendAsync(HttpMethod.Get, $"images/{EscapeReference(image)}/json", null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Pulls <paramref name="image"/> (tag <c>latest</c> when none is given) and returns when it is
    /// present. The engine reports most failures (unknown repository, no registry) inside the
    /// progress stream after answering 200; those are thrown too, with the engine's message.
    /// </summary>
    public async Task PullImageAsync(string image, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        var (name, tag) = SplitReference(image);
        var query = $"images/create?fromImage={Uri.EscapeDataString(name)}&tag={Uri.EscapeDataString(tag)}";
        using var response = await SendAsync(HttpMethod.Post, query, null, cancellationToken).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        try
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }
                var progress = JsonSerializer.Deserialize<PullProgress>(line, DockerJson.Options);
                var error = progress?.ErrorDetail?.Message ?? progress?.Error;
                if (!string.IsNullOrEmpty(error))
                {
                    throw new DockerException(null, error);
                }
            }
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DockerException(null, $"The Docker Engine broke off pulling {image}: {e.Message}", e);
        }
        catch (JsonException e)
        {
            throw new DockerException(null, $"The Docker Engine answered the pull of {image} with something that is not JSON: {e.Message}", e);
        }
    }

    /// <summary>Creates (does not start) a container and returns its id.</summary>
    public async Task<string> CreateContainerAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var body = new CreateContainerRequest(
            spec.Image,
            spec.Command,
            spec.Environment.Select(pair => $"{pair.Key}={pair.Value}").ToList(),
            spec.WorkingDir,
            spec.Labels,
            new HostConfigRequest(
                spec.Binds.Select(bind => bind.ToString()).ToList(),
                spec.NetworkMode,
                spec.SecurityOpt,
                spec.CapDrop,
                spec.PidsLimit,
                spec.MemoryBytes,
                // Swap equal to memory: the limit is a limit, not a push into swap.
                spec.MemoryBytes,
                spec.NanoCpus,
                spec.Init ? true : null));
        var path = spec.Name is null ? "containers/create" : $"containers/create?name={Uri.EscapeDataString(spec.Name)}";
        using var content = JsonContent.Create(body, options: DockerJson.Options);
        using var response = await SendAsync(HttpMethod.Post, path, content, cancellationToken).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        var created = await ReadJsonAsync<CreateContainerResponse>(response, cancellationToken).ConfigureAwait(false);
        return created.Id;
    }

    /// <summary>Starts a created container. Already running is fine.</summary>
    /// <remarks>A command that does not exist in the image fails here, not at create.</remarks>
    public async Task StartContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"containers/{EscapeId(id)}/start", null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NotModified)
        {
            await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits until the container is not running and returns its exit code; at once when it has
    /// already exited. Call it after <see cref="StartContainerAsync"/>: a container that was only
    /// created counts as not running.
    /// </summary>
    public async Task<long> WaitContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"containers/{EscapeId(id)}/wait?condition=not-running", null, cancellationToken).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        var result = await ReadJsonAsync<WaitResponse>(response, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(result.Error?.Message))
        {
            throw new DockerException(response.StatusCode, result.Error.Message);
        }
        return result.StatusCode;
    }

    /// <summary>
    /// Reads the container's stdout and stderr (a container without TTY) and hands each piece to
    /// <paramref name="onChunk"/> in the order the engine sends it. With <paramref name="follow"/>
    /// it returns when the container has stopped and everything is read; without, when the
    /// log so far is read. The memory passed to <paramref name="onChunk"/> is reused once it
    /// returns: copy what you keep.
    /// </summary>
    public async Task StreamLogsAsync(
        string id,
        bool follow,
        Func<LogStream, ReadOnlyMemory<byte>, ValueTask> onChunk,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onChunk);
        var path = $"containers/{EscapeId(id)}/logs?stdout=1&stderr=1&follow={(follow ? 1 : 0)}";
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                if (response.Content.Headers.ContentType?.MediaType == "application/vnd.docker.raw-stream")
                {
                    // A TTY container: one stream, no frame headers.
                    int read;
                    while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        await onChunk(LogStream.Stdout, buffer.AsMemory(0, read)).ConfigureAwait(false);
                    }
                    return;
                }
                await DemultiplexAsync(stream, buffer, onChunk, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DockerException(null, $"The log stream of container {id} broke off: {e.Message}", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends <paramref name="signal"/> (e.g. <c>SIGKILL</c>) to the container. Not running is fine.</summary>
    public async Task KillContainerAsync(string id, string signal, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(signal);
        using var response = await SendAsync(HttpMethod.Post, $"containers/{EscapeId(id)}/kill?signal={Uri.EscapeDataString(signal)}", null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Conflict)
        {
            await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops the container: SIGTERM (or the image's stop signal), then SIGKILL once
    /// <paramref name="grace"/> (whole seconds, rounded up) has passed. Returns when it has
    /// stopped; already stopped is fine.
    /// </summary>
    public async Task StopContainerAsync(string id, TimeSpan grace, CancellationToken cancellationToken)
    {
        var seconds = (long)Math.Ceiling(Math.Max(0, grace.TotalSeconds));
        using var response = await SendAsync(HttpMethod.Post, $"containers/{EscapeId(id)}/stop?t={seconds.ToString(CultureInfo.InvariantCulture)}", null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NotModified)
        {
            await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Removes the container and its anonymous volumes; <paramref name="force"/> kills it first if it runs. Already gone is fine.</summary>
    public async Task RemoveContainerAsync(string id, bool force, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"containers/{EscapeId(id)}?v=1&force={(force ? 1 : 0)}", null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The container's state and labels, or null when there is no such container.</summary>
    public async Task<ContainerDetails?> InspectContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"containers/{EscapeId(id)}/json", null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        var inspected = await ReadJsonAsync<InspectResponse>(response, cancellationToken).ConfigureAwait(false);
        return new ContainerDetails(
            inspected.Id,
            (inspected.Name ?? "").TrimStart('/'),
            inspected.State?.Status ?? "",
            inspected.State?.Running ?? false,
            inspected.State?.ExitCode ?? 0,
            inspected.State?.OomKilled ?? false,
            inspected.Config?.Labels ?? new Dictionary<string, string>());
    }

    /// <summary>
    /// The containers carrying every one of <paramref name="labels"/> (key and value);
    /// stopped ones too when <paramref name="all"/>.
    /// </summary>
    public async Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(
        IReadOnlyDictionary<string, string> labels,
        bool all,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var filters = JsonSerializer.Serialize(new Dictionary<string, string[]>
        {
            ["label"] = labels.Select(pair => $"{pair.Key}={pair.Value}").ToArray(),
        });
        var path = $"containers/json?all={(all ? 1 : 0)}&filters={Uri.EscapeDataString(filters)}";
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
        var listed = await ReadJsonAsync<List<ListedContainer>>(response, cancellationToken).ConfigureAwait(false);
        return listed
            .Select(c => new ContainerSummary(c.Id, c.Labels ?? new Dictionary<string, string>(), c.State ?? ""))
            .ToList();
    }

    public void Dispose()
    {
        _http.Dispose();
        _versionLock.Dispose();
    }

    /// <summary>
    /// Splits an image reference into the <c>fromImage</c> and <c>tag</c> of a pull: the tag
    /// (or digest) after the name, <c>latest</c> when there is none. Without a tag the engine
    /// would pull every tag of the repository.
    /// </summary>
    internal static (string Name, string Tag) SplitReference(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return (image[..at], image[(at + 1)..]);
        }
        var colon = image.LastIndexOf(':');
        // A colon before the last slash belongs to a registry port (localhost:5000/app).
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    /// <summary>The API version to speak, given what the engine accepts.</summary>
    internal static Version ChooseApiVersion(string? engineMinimum, string? engineMaximum)
    {
        if (Version.TryParse(engineMinimum, out var minimum) && minimum > PreferredApiVersion)
        {
            return minimum;
        }
        if (Version.TryParse(engineMaximum, out var maximum) && maximum < PreferredApiVersion)
        {
            return maximum;
        }
        return PreferredApiVersion;
    }

    private static async Task DemultiplexAsync(
        Stream stream,
        byte[] buffer,
        Func<LogStream, ReadOnlyMemory<byte>, ValueTask> onChunk,
        CancellationToken cancellationToken)
    {
        // Each frame: [stream type, 0, 0, 0, size as big-endian uint32] then size bytes.
        var header = new byte[8];
        while (true)
        {
            var read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }
            if (read < header.Length)
            {
                throw new EndOfStreamException("the stream ended inside a frame header.");
            }
            // Type 0 (stdin) is documented as written on stdout.
            var kind = header[0] == 2 ? LogStream.Stderr : LogStream.Stdout;
            var remaining = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
            // A large frame is handed on in buffer-sized pieces rather than held whole.
            while (remaining > 0)
            {
                var length = (int)Math.Min(remaining, (uint)buffer.Length);
                await stream.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                remaining -= (uint)length;
                await onChunk(kind, buffer.AsMemory(0, length)).ConfigureAwait(false);
            }
        }
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken) =>
        SendAsync(method, path, content, versioned: true, cancellationToken);

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method,
        string path,
        HttpContent? content,
        bool versioned,
        CancellationToken cancellationToken)
    {
        var prefix = versioned ? await GetVersionPrefixAsync(cancellationToken).ConfigureAwait(false) : "";
        using var request = new HttpRequestMessage(method, new Uri(prefix + path, UriKind.Relative)) { Content = content };
        try
        {
            // Headers only: bodies are read by the caller, streamed where they are streams.
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new DockerException(null, $"Cannot reach the Docker Engine at {Endpoint}: {e.Message}", e);
        }
    }

    private async ValueTask<string> GetVersionPrefixAsync(CancellationToken cancellationToken)
    {
        if (_versionPrefix is { } known)
        {
            return known;
        }
        await _versionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_versionPrefix is null)
            {
                using var response = await SendAsync(HttpMethod.Get, "version", null, versioned: false, cancellationToken).ConfigureAwait(false);
                await ThrowIfFailedAsync(response, cancellationToken).ConfigureAwait(false);
                var version = await ReadJsonAsync<VersionResponse>(response, cancellationToken).ConfigureAwait(false);
                _versionPrefix = $"v{ChooseApiVersion(version.MinAPIVersion, version.ApiVersion)}/";
            }
            return _versionPrefix;
        }
        finally
        {
            _versionLock.Release();
        }
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(DockerJson.Options, cancellationToken).ConfigureAwait(false)
                ?? throw new DockerException(response.StatusCode, "The Docker Engine answered with an empty body.");
        }
        catch (JsonException e)
        {
            throw new DockerException(response.StatusCode, $"The Docker Engine answered with something that is not the expected JSON: {e.Message}", e);
        }
    }

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? message = null;
        try
        {
            message = JsonSerializer.Deserialize<ErrorResponse>(body, DockerJson.Options)?.Message;
        }
        catch (JsonException)
        {
            // Not the engine's JSON (a proxy in between?): the text itself is the best reason.
        }
        if (string.IsNullOrWhiteSpace(message))
        {
            message = string.IsNullOrWhiteSpace(body) ? $"{(int)response.StatusCode} {response.ReasonPhrase}" : body.Trim();
        }
        throw new DockerException(response.StatusCode, message);
    }

    private static string EscapeId(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return Uri.EscapeDataString(id);
    }

    // Keeps the slashes of repository paths (the engine routes on images/{name...}/json).
    private static string EscapeReference(string image) =>
        string.Join('/', image.Split('/').Select(Uri.EscapeDataString));
}
