namespace Atlas.AppHost.Publishing;

/// <summary>An endpoint a deployable service listens on.</summary>
/// <param name="Name">Its name in the app model (<c>http</c>, <c>tcp</c>, <c>otlp</c>).</param>
/// <param name="Scheme">URL scheme (<c>http</c>, <c>tcp</c>, <c>redis</c>).</param>
/// <param name="TargetPort">Where the service listens.</param>
/// <param name="Port">Where it is reached from outside its host or container (the published port).</param>
/// <param name="External">True when users reach it (published on the host); false: cluster network only.</param>
public sealed record DeployEndpoint(string Name, string Scheme, int TargetPort, int Port, bool External);
