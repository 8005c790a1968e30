namespace Atlas.Dashboard.Options;

/// <summary>Section <c>Atlas:Dashboard</c>. The gateway it proxies <c>/api</c> to is <c>services__gateway__http__0</c>.</summary>
public sealed class DashboardOptions
{
    public const string Section = "Atlas:Dashboard";

    /// <summary>Where <c>services__gateway__http__N</c> live in configuration.</summary>
    public const string GatewaySection = "services:gateway:http";

    /// <summary>The public OpenID Connect client the browser logs in with (authorization code + PKCE).</summary>
    public string ClientId { get; set; } = "atlas-dashboard";

    /// <summary>The Aspire dashboard's address, for links to a job's trace; empty shows the trace id only.</summary>
    public string? TracesUrl { get; set; }

    /// <summary>How long a proxied call may go quiet (a followed log of an idle job) before it is cut.</summary>
    public int IdleTimeoutSeconds { get; set; } = 3600;
}
