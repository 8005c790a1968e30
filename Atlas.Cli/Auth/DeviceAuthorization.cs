namespace Atlas.Cli.Auth;

/// <summary>RFC 8628 §3.2: the device authorization response.</summary>
public sealed record DeviceAuthorization
{
    public string DeviceCode { get; init; } = "";

    public string UserCode { get; init; } = "";

    public string VerificationUri { get; init; } = "";

    public string? VerificationUriComplete { get; init; }

    public int ExpiresIn { get; init; }

    /// <summary>Seconds between polls; RFC 8628 says 5 when the provider leaves it out.</summary>
    public int? Interval { get; init; }
}
