namespace Atlas.Cli.Auth;

/// <summary>The parts of the provider's <c>/.well-known/openid-configuration</c> the CLI uses.</summary>
public sealed record OidcMetadata
{
    public string? Issuer { get; init; }

    public string? DeviceAuthorizationEndpoint { get; init; }

    public string? TokenEndpoint { get; init; }

    /// <summary>RFC 7009; null when the provider has none, and logout then only forgets the tokens.</summary>
    public string? RevocationEndpoint { get; init; }
}
