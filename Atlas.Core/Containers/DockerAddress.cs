namespace Atlas.Core.Containers;

/// <summary>
/// Where a Docker Engine listens: the configured address, else <c>DOCKER_HOST</c>, else the usual
/// socket. One rule for the worker, the AppHost, the tests and the bench.
/// </summary>
public static class DockerAddress
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
}
