namespace Atlas.Api.Auth;

/// <summary>
/// <c>GET /api/v1/auth/config</c>, open to all: how a client logs in. <c>mode</c> is
/// <c>single-user</c> (no login; the rest is absent) or <c>oidc</c>.
/// </summary>
public sealed record AuthConfigView(string Mode, string? Authority = null, string? Audience = null, string? CliClientId = null, string? Scopes = null);
