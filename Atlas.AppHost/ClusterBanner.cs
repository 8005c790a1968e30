using Atlas.AppHost.Model;
using Atlas.AppHost.Preflight;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Atlas.AppHost;

/// <summary>
/// Once every resource is healthy, prints where things are: the Aspire dashboard, the gateway
/// (for the atlas CLI), the runtime, Redis, the shared volume and the auth mode. A resource that
/// fails to start is named instead.
/// </summary>
internal sealed class ClusterBanner(ResourceNotificationService notifications, ClusterModel model, PreflightResult preflight, IConfiguration configuration, TextWriter output)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(model.Resources.Select(r => notifications.WaitForResourceHealthyAsync(r.Name, WaitBehavior.StopOnResourceUnavailable, stoppingToken)));
        }
        catch (DistributedApplicationException ex)
        {
            await output.WriteLineAsync($"error: {ex.Message}; see its logs in the dashboard ({DashboardUrl})");
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var lines = new List<string>
        {
            "",
            $"dashboard:     {DashboardUrl}" + (model.Authority is null ? "" : "   (log in with the token in the login URL printed above)"),
            $"gateway:       {model.Gateway.Url}   (atlas CLI: ATLAS_URL={model.Gateway.Url})",
            $"web:           {model.Dashboard.Url}   (the Atlas dashboard: jobs, logs, metrics, compare runs)",
            $"runtime:       {model.Runtime}",
            $"redis:         {preflight.Redis.Description} on {model.Redis.Url}",
            $"shared volume: {model.SharedRoot}",
            $"data:          {model.DataDir}",
            model.Authority is null
                ? "auth:          off (single-user mode): anyone who reaches the gateway acts as admin; do not expose it to a network"
                : $"auth:          on, tokens from {model.Authority} (atlas login)",
            "Ctrl+C stops everything.",
            "",
        };
        await output.WriteLineAsync(string.Join(Environment.NewLine, lines));
        await output.FlushAsync(stoppingToken);
    }

    private string DashboardUrl => (configuration["ASPNETCORE_URLS"] ?? "(dashboard off)").Split(';')[0];
}
