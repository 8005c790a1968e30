namespace Atlas.Gateway.Options;

/// <summary>
/// The gateway's settings. The masters come from Aspire's service variables
/// (<c>services__master__http__0</c>, <c>__1</c>, …); the rest is section <c>Atlas:Gateway</c>.
/// </summary>
public sealed class GatewayOptions
{
    public const string Section = "Atlas:Gateway";

    /// <summary>The masters' base URLs, in order.</summary>
    public IList<string> Masters { get; } = [];

    /// <summary>
    /// How long a proxied call may sit without a byte passing. Followed logs of a quiet job are
    /// idle for long stretches, so this is generous.
    /// </summary>
    public double IdleTimeoutSeconds { get; set; } = 3600;
}
