namespace Atlas.Dashboard.Apis;

/// <summary><c>GET /dashboard/config</c>: what the page needs beyond the API's own <c>/api/v1/auth/config</c>.</summary>
/// <param name="ClientId">The OpenID Connect client to log in with.</param>
/// <param name="TracesUrl">The Aspire dashboard, for trace links; null when unknown.</param>
public sealed record DashboardConfigView(string ClientId, string? TracesUrl);
