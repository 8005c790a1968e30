namespace Atlas.Api.Auth;

/// <summary><c>GET /api/v1/me</c>: the caller as the cluster sees them.</summary>
public sealed record MeView(string Sub, string Username, IReadOnlyList<string> Roles, bool Admin, string Mode);
