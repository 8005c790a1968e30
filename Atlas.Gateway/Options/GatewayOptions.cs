namespace Atlas.Gateway.Options;

/// <summary>
/// The gateway's settings, section <c>Atlas:Gateway</c>. The masters are not here: the cluster's
/// one destination, <c>http://master</c>, is resolved by service discovery from Aspire's service
/// variables (<c>services__master__http__0</c>, <c>__1</c>, …).
/// </summary>
public sealed class GatewayOptions
{
    public const string Section = "Atlas:Gateway";

    /// <summary>The configuration section service discovery reads the masters from.</summary>
    public const string MastersSection = "services:master:http";

    /// <summary>
    /// How long a proxied call may sit without a byte passing. Followed logs of a quiet job are
    /// idle for long stretches, so this is generous.
    /// </summary>
    public double IdleTimeoutSeconds { get; set; } = 3600;
}
