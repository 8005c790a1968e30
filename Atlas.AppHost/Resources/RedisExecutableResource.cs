namespace Atlas.AppHost.Resources;

/// <summary>
/// Redis (or Garnet) run as a local process by DCP. Its connection string is its loopback address
/// and port (and its password), so <c>WithReference(redis)</c> gives services <c>ConnectionStrings__redis</c>.
/// </summary>
internal sealed class RedisExecutableResource(string name, string command, string workingDirectory, string? password = null)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    /// <summary>The name of its one endpoint.</summary>
    public const string EndpointName = "tcp";

    public EndpointReference Endpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => password is null
        ? ReferenceExpression.Create($"127.0.0.1:{Endpoint.Property(EndpointProperty.Port)}")
        : ReferenceExpression.Create($"127.0.0.1:{Endpoint.Property(EndpointProperty.Port)},password={password}");
}
