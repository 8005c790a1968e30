using Atlas.Core.Jobs;
using Atlas.Testing;
using Microsoft.Playwright;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// The Atlas meter's instruments appear in the Aspire dashboard: a job runs on a cluster started
/// by the built AppHost, and a real browser (Debian's chromium) opens the dashboard's metrics page
/// of the master and of the worker and finds each instrument there. The dashboard's HTTP API serves
/// traces and logs but not metrics, so the page is where they are read back.
/// </summary>
public sealed class MetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task JobRun_AtlasInstrumentsShownOnTheDashboardsMetricsPages()
    {
        await using var chromium = await Chromium.LaunchAsync();
        await using var cluster = await ClusterProcess.StartAsync(typeof(MetricsTests).Assembly, workers: 1, ["--runtime", "process"], cancellationToken: Ct);
        using var gateway = new HttpClient { BaseAddress = new Uri(cluster.GatewayUrl) };
        var id = await GatewayJobs.SubmitAsync(gateway, new JobSpec { Command = ["/bin/sh", "-c", "echo measured"] }, Ct);
        (await GatewayJobs.WaitEndedAsync(gateway, id, TimeSpan.FromSeconds(60), Ct)).State.ShouldBe(JobState.Succeeded, cluster.Output);

        var page = await chromium.Browser.NewPageAsync();

        await ShouldShowAsync(page, cluster, "master", ["atlas.jobs.submitted", "atlas.jobs.queued", "atlas.jobs.running"]);
        await ShouldShowAsync(page, cluster, "worker-1", ["atlas.jobs.started", "atlas.jobs.finished", "atlas.jobs.submit_to_start", "atlas.node.free_slots"]);
    }

    // The instruments list fills in as exports arrive (about every second), and the Blazor page
    // renders after its circuit connects: each load is watched until the list stops missing any,
    // and the page is loaded again when a load shows no more for a while.
    private static async Task ShouldShowAsync(IPage page, ClusterProcess cluster, string resource, string[] instruments)
    {
        var url = $"{cluster.DashboardUrl.TrimEnd('/')}/metrics/resource/{resource}";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string[] missing = instruments;
        while (DateTime.UtcNow < deadline)
        {
            await page.GotoAsync(url);
            var reload = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < reload)
            {
                var text = await page.InnerTextAsync("body");
                missing = [.. instruments.Where(i => !text.Contains(i, StringComparison.Ordinal))];
                if (missing.Length == 0)
                {
                    return;
                }
                await Task.Delay(250, Ct);
            }
        }
        throw new TimeoutException($"{url} does not show {string.Join(", ", missing)}:\n{await page.InnerTextAsync("body")}");
    }
}
