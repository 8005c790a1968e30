namespace Atlas.AppHost.Publishing;

/// <summary>
/// What a resource is, as far as a target needs to know (bare metal puts workers on worker hosts
/// and the rest on the master host; Redis runs from the distribution's package there). Anything
/// not recognised is <see cref="Service"/> and deploys like the others.
/// </summary>
public enum ServiceRole
{
    /// <summary>Any other project or container of the model (the Atlas dashboard, say).</summary>
    Service,
    Redis,
    Master,
    Worker,
    Gateway,

    /// <summary>The standalone Aspire dashboard: OTLP in, traces and logs out.</summary>
    Telemetry,

    /// <summary>The identity provider, optional.</summary>
    Keycloak,
}
