using System.Text.Json;

namespace Atlas.Testing;

/// <summary>Reads traces back from a running Aspire dashboard's HTTP API (unauthenticated, as the AppHost runs it on loopback).</summary>
public static class DashboardTraces
{
    /// <summary>The trace as <c>GET /api/telemetry/traces/{id}</c> returns it (OTLP JSON), or null while it has none by that id.</summary>
    public static async Task<JsonDocument?> GetAsync(HttpClient http, string dashboardUrl, string traceId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"{dashboardUrl.TrimEnd('/')}/api/telemetry/traces/{Uri.EscapeDataString(traceId)}", cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
    }
}
