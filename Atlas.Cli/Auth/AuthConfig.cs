namespace Atlas.Cli.Auth;

/// <summary>
/// The gateway's unauthenticated <c>GET /api/v1/auth/config</c>: whether the cluster wants a login
/// and, when it does, where the identity provider is and what to ask it for.
/// </summary>
public sealed record AuthConfig
{
    public const string SingleUser = "single-user";
    public const string Oidc = "oidc";

    /// <summary><c>single-user</c> (no login) or <c>oidc</c>.</summary>
    public string Mode { get; init; } = SingleUser;

    /// <summary>The identity provider's issuer URL (a Keycloak realm), whose discovery document the CLI reads.</summary>
    public string? Authority { get; init; }

    /// <summary>The audience the services expect in access tokens (<c>atlas-api</c>).</summary>
    public string? Audience { get; init; }

    /// <summary>The public client the CLI logs in as (<c>atlas-cli</c>).</summary>
    public string? CliClientId { get; init; }

    /// <summary>Scopes for a user login; <c>offline_access</c> brings the refresh token.</summary>
    public string? Scopes { get; init; }
}
