namespace Atlas.Core.Docker;

/// <summary>
/// Where the Docker Engine API listens: a unix socket (<c>unix:///var/run/docker.sock</c>) or
/// plain TCP (<c>tcp://host:2375</c> or <c>http://host:2375</c>). TLS endpoints are not supported.
/// </summary>
public sealed record DockerEndpoint
{
    /// <summary>The engine's usual socket on Linux.</summary>
    public const string DefaultAddress = "unix:///var/run/docker.sock";

    private DockerEndpoint(Uri address, string? socketPath)
    {
        Address = address;
        SocketPath = socketPath;
    }

    /// <summary>The address as given, normalised (<c>tcp://</c> becomes <c>http://</c>).</summary>
    public Uri Address { get; }

    /// <summary>The socket file for a unix endpoint; null for TCP.</summary>
    public string? SocketPath { get; }

    /// <summary>
    /// The endpoint to use: <paramref name="configured"/> when set, else <c>DOCKER_HOST</c>, else
    /// <see cref="DefaultAddress"/>.
    /// </summary>
    /// <exception cref="FormatException">The chosen address is not one this client can use.</exception>
    public static DockerEndpoint Resolve(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Parse(configured);
        }
        var fromEnvironment = Environment.GetEnvironmentVariable("DOCKER_HOST");
        return Parse(string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultAddress : fromEnvironment);
    }

    /// <summary>Reads <c>unix:///path</c>, <c>tcp://host:port</c> or <c>http://host:port</c>.</summary>
    /// <exception cref="FormatException">Any other scheme, or not an absolute address.</exception>
    public static DockerEndpoint Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!Uri.TryCreate(address.Trim(), UriKind.Absolute, out var uri))
        {
            throw new FormatException($"'{address}' is not a Docker Engine address; expected unix:///path/to/docker.sock or tcp://host:port.");
        }
        switch (uri.Scheme)
        {
            case "unix":
                if (string.IsNullOrEmpty(uri.AbsolutePath) || uri.AbsolutePath == "/")
                {
                    throw new FormatException($"'{address}' names no socket file; expected unix:///path/to/docker.sock.");
                }
                return new DockerEndpoint(uri, Uri.UnescapeDataString(uri.AbsolutePath));
            case "tcp":
            case "http":
                if (uri.IsDefaultPort && uri.Scheme == "tcp")
                {
                    throw new FormatException($"'{address}' has no port; expected tcp://host:port.");
                }
                return new DockerEndpoint(new UriBuilder(uri) { Scheme = "http", Path = "/" }.Uri, null);
            default:
                throw new FormatException($"'{address}' uses '{uri.Scheme}://', which Atlas cannot use; expected unix:// or tcp:// (without TLS).");
        }
    }

    public override string ToString() => SocketPath is null ? Address.ToString() : "unix://" + SocketPath;
}
