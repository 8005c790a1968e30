namespace Atlas.Api.Auth;

/// <summary>
/// Section <c>Atlas:Auth</c> (<c>Atlas__Auth__Enabled=true</c>), the same for the gateway, the
/// master and every worker. The identity provider is configuration, not code: any OpenID Connect
/// provider that signs access tokens with RS256, ES256 or PS256 and serves discovery will do.
/// </summary>
public sealed class AtlasAuthOptions
{
    public const string Section = "Atlas:Auth";

    /// <summary>False (the default): single-user mode, no token is asked for and everyone is the admin <c>local</c>.</summary>
    public bool Enabled { get; set; }

    /// <summary>The issuer URL; discovery is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>
    /// The accepted <c>iss</c> values (a provider seen under an in-cluster and an external host name
    /// issues both). Empty: the <see cref="Authority"/> alone. The issuer named by discovery is always accepted.
    /// </summary>
    public IList<string> ValidIssuers { get; } = [];

    /// <summary>The <c>aud</c> every access token must carry. Audience checking cannot be turned off.</summary>
    public string Audience { get; set; } = "atlas-api";

    /// <summary>A dotted path into the token's JSON payload to the list of roles (Keycloak: <c>realm_access.roles</c>).</summary>
    public string RoleClaim { get; set; } = "realm_access.roles";

    /// <summary>The role that sees and acts on every job.</summary>
    public string AdminRole { get; set; } = "atlas-admin";

    /// <summary>
    /// The role a caller needs to use the API at all (admins need not hold it too). Set it empty
    /// to let every user of the provider who has a token for <see cref="Audience"/> in.
    /// </summary>
    public string UserRole { get; set; } = "atlas-user";

    /// <summary>The public client the CLI logs in with (device authorization grant).</summary>
    public string CliClientId { get; set; } = "atlas-cli";

    /// <summary>How far token lifetimes may be off because of clocks that differ (0 to 300 seconds).</summary>
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>Whether discovery and keys must come over https. Null: yes, unless the authority is on loopback.</summary>
    public bool? RequireHttpsMetadata { get; set; }

    /// <summary>The issuers a token may name: <see cref="ValidIssuers"/>, or the authority alone.</summary>
    public IReadOnlyList<string> Issuers => ValidIssuers.Count > 0 ? [.. ValidIssuers] : Authority is null ? [] : [Authority.TrimEnd('/')];

    /// <summary><see cref="RequireHttpsMetadata"/> with its default applied.</summary>
    public bool HttpsMetadataRequired =>
        RequireHttpsMetadata ?? !(Uri.TryCreate(Authority, UriKind.Absolute, out var uri) && uri.IsLoopback);
}
