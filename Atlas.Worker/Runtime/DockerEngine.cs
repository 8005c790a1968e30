using System.Text.Json;
using Docker.DotNet;

namespace Atlas.Worker.Runtime;

/// <summary>
/// Where the worker's Docker Engine is and how to reach it: the configured address, else
/// <c>DOCKER_HOST</c>, else the usual socket. The client is Docker.DotNet.Enhanced (the maintained
/// fork, same API as Docker.DotNet 3.x, built for net10.0).
/// </summary>
public static class DockerEngine
{
    /// <summary>The engine's usual socket on Linux.</summary>
    public const string DefaultAddress = "unix:///var/run/docker.sock";

    /// <summary>
    /// The address to use: <paramref name="configured"/> when set, else <c>DOCKER_HOST</c>, else
    /// <see cref="DefaultAddress"/>. Only <c>unix://</c> sockets and plain <c>tcp://</c> or
    /// <c>http://</c> are accepted (no TLS).
    /// </summary>
    /// <exception cref="FormatException">The chosen address is not one Atlas can use; the message says why.</exception>
    public static Uri Resolve(string? configured)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("DOCKER_HOST");
        var address = !string.IsNullOrWhiteSpace(configured) ? configured
            : !string.IsNullOrWhiteSpace(fromEnvironment) ? fromEnvironment
            : DefaultAddress;
        if (!Uri.TryCreate(address.Trim(), UriKind.Absolute, out var uri))
        {
            throw new FormatException($"'{address}' is not a Docker Engine address; expected unix:///path/to/docker.sock or tcp://host:port.");
        }
        return uri.Scheme switch
        {
            "unix" when string.IsNullOrEmpty(uri.AbsolutePath) || uri.AbsolutePath == "/" =>
                throw new FormatException($"'{address}' names no socket file; expected unix:///path/to/docker.sock."),
            "unix" => uri,
            "tcp" when uri.IsDefaultPort => throw new FormatException($"'{address}' has no port; expected tcp://host:port."),
            "tcp" or "http" => uri,
            _ => throw new FormatException($"'{address}' uses '{uri.Scheme}://', which Atlas cannot use; expected unix:// or tcp:// (without TLS)."),
        };
    }

    /// <summary>
    /// A client for the engine at <paramref name="configured"/> (see <see cref="Resolve"/>). No API
    /// version is pinned: requests go unversioned and the engine answers in its own version, so
    /// the engine here (20.10, API 1.41) and newer ones (Docker 29 refuses below 1.44) both work.
    /// </summary>
    public static DockerClient Connect(string? configured) =>
        new DockerClientBuilder().WithEndpoint(Resolve(configured)).Build();

    /// <summary>The engine's own words for a refused request (<c>No such image: x</c>), else the library's message.</summary>
    public static string Reason(DockerApiException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        try
        {
            using var body = JsonDocument.Parse(exception.ResponseBody ?? "");
            if (body.RootElement.ValueKind == JsonValueKind.Object
                && body.RootElement.TryGetProperty("message", out var message)
                && message.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }
        catch (JsonException)
        {
            // Not the engine's JSON (a proxy in between?): the body itself is the best reason.
        }
        return string.IsNullOrWhiteSpace(exception.ResponseBody) ? exception.Message : exception.ResponseBody.Trim();
    }
}
