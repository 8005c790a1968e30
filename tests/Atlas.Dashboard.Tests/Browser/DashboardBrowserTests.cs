using System.Net;
using System.Text.RegularExpressions;
using Atlas.Core.Jobs;
using Atlas.EndToEnd.Tests;
using static Microsoft.Playwright.Assertions;

namespace Atlas.Dashboard.Tests.Browser;

/// <summary>The dashboard in a real browser against the cluster the AppHost starts, in single-user mode.</summary>
public sealed partial class DashboardBrowserTests(DashboardClusterFixture fixture) : IClassFixture<DashboardClusterFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Dashboard => fixture.Cluster.DashboardUrl;

    [Fact]
    public async Task JobTable_SubmittedJob_AppearsWithoutReload()
    {
        var project = Unique("table");
        var page = await fixture.Chromium.OpenAsync($"{Dashboard}/#/jobs?project={project}");
        await Expect(page.Locator("#jobs-summary")).ToHaveTextAsync("No jobs");
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        var id = await SubmitAsync(project, "sh", "-c", "sleep 1");

        var row = page.Locator($"tr[data-job='{id}']");
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 15_000 });
        (await page.EvaluateAsync<bool>("() => window.__sameDocument === true")).ShouldBeTrue("the page was reloaded");
        await Expect(page.Locator("#jobs-summary")).ToHaveTextAsync("Jobs 1–1 of 1");
        // It goes on updating: the row reaches its end state without a reload either.
        await Expect(row.Locator(".state")).ToHaveTextAsync("succeeded", new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task JobTable_SortAndPages_WithTheKeyboard()
    {
        var project = Unique("paging");
        foreach (var name in new[] { "charlie", "alpha", "bravo" })
        {
            await GatewayJobs.SubmitAsync(fixture.Gateway, new JobSpec { Project = project, Name = name, Command = ["true"] }, Ct);
        }
        var page = await fixture.Chromium.OpenAsync($"{Dashboard}/#/jobs?project={project}&limit=2");
        await Expect(page.Locator("#jobs-summary")).ToHaveTextAsync("Jobs 1–2 of 3");

        await page.Locator("button.sort[data-sort='name']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        var names = page.Locator("#jobs tbody tr td:nth-child(3)");
        await Expect(names).ToHaveTextAsync(["alpha", "bravo"]);
        await Expect(page.Locator("th[aria-sort='ascending'] button.sort")).ToHaveAttributeAsync("data-sort", "name");
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Next →" }).PressAsync("Enter");
        await Expect(names).ToHaveTextAsync(["charlie"]);
        await Expect(page.Locator("#jobs-summary")).ToHaveTextAsync("Jobs 3–3 of 3");
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "← Previous" }).PressAsync("Enter");
        await Expect(names).ToHaveTextAsync(["alpha", "bravo"]);
        page.Url.ShouldContain("sort=name");
    }

    [Fact]
    public async Task NodesAndQueue_GpuJobRunning_ShowTheGpusInUseAndWhyTheNextWaits()
    {
        var project = Unique("gpus");
        var holder = await GatewayJobs.SubmitAsync(fixture.Gateway,
            new JobSpec { Project = project, Command = ["sh", "-c", "sleep 120"], Resources = new JobResources { Gpus = 2 } }, Ct);
        await GatewayJobs.WaitForAsync(fixture.Gateway, holder, j => j.State == JobState.Running, TimeSpan.FromSeconds(30), Ct);
        var waiting = await GatewayJobs.SubmitAsync(fixture.Gateway,
            new JobSpec { Project = project, Command = ["true"], Resources = new JobResources { Gpus = 1 } }, Ct);
        try
        {
            var nodes = await fixture.Chromium.OpenAsync($"{Dashboard}/#/nodes");
            await Expect(nodes.Locator("td.gpus")).ToHaveTextAsync("2 of 2 (0*, 1*)", new() { Timeout = 15_000 });

            var queue = await fixture.Chromium.OpenAsync($"{Dashboard}/#/queue");
            var row = queue.Locator("tr", new() { Has = queue.Locator($"a[href='#/job/{waiting}']") });
            await Expect(row.Locator("td.reason")).ToContainTextAsync("GPU", new() { Timeout = 15_000 });
            await Expect(queue.Locator("#limits")).ToContainTextAsync("Placement: fair");
        }
        finally
        {
            foreach (var id in new[] { waiting, holder })
            {
                using var _ = await fixture.Gateway.PostAsync($"/api/v1/jobs/{id}/stop", null, Ct);
            }
        }
    }

    [Fact]
    public async Task JobPage_RunningJob_LogGrows()
    {
        var id = await SubmitAsync(Unique("logs"), "sh", "-c", "i=0; while [ $i -lt 80 ]; do echo \"line $i\"; i=$((i+1)); sleep 0.2; done");
        var page = await fixture.Chromium.OpenAsync($"{Dashboard}/#/job/{id}");

        var log = page.Locator(".log-section");
        await Expect(log).ToContainTextAsync("line 3", new() { Timeout = 30_000 });
        var first = int.Parse((await log.GetAttributeAsync("data-lines"))!, System.Globalization.CultureInfo.InvariantCulture);
        await Expect(log).ToContainTextAsync("line 40", new() { Timeout = 30_000 });
        var later = int.Parse((await log.GetAttributeAsync("data-lines"))!, System.Globalization.CultureInfo.InvariantCulture);

        later.ShouldBeGreaterThan(first + 10);
        first.ShouldBeLessThan(80);
    }

    [Fact]
    public async Task JobPage_MillionLineLog_KeepsOnlyTheRowsInSightInThePage()
    {
        var id = await SubmitAsync(Unique("million"), "sh", "-c", "seq 1 1000000");
        await GatewayJobs.WaitEndedAsync(fixture.Gateway, id, TimeSpan.FromSeconds(60), Ct);
        var page = await fixture.Chromium.OpenAsync($"{Dashboard}/#/job/{id}");

        var log = page.Locator(".log-section");
        await Expect(log).ToHaveAttributeAsync("data-lines", "1000000", new() { Timeout = 60_000 });
        await Expect(log.Locator(".log-status")).ToContainTextAsync("1,000,000 lines");
        await Expect(log.Locator(".log-line").Last).ToContainTextAsync("1000000");

        (await log.Locator(".log-line").CountAsync()).ShouldBeLessThan(200);
        // Still answering: the page scrolls back and draws the lines it kept.
        await log.Locator(".log").EvaluateAsync("el => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); }");
        await Expect(log.Locator(".log-line").First).ToContainTextAsync("800001");
    }

    [Fact]
    public async Task JobPage_Stop_CancelsTheRunningJob()
    {
        var id = await SubmitAsync(Unique("stop"), "sh", "-c", "sleep 120");
        var page = await fixture.Chromium.OpenAsync($"{Dashboard}/#/job/{id}");
        var state = page.Locator("h1 .state");
        await Expect(state).ToHaveTextAsync("running", new() { Timeout = 30_000 });

        await page.Locator("#stop").ClickAsync();

        await Expect(state).ToHaveTextAsync("cancelled", new() { Timeout = 30_000 });
        await Expect(page.Locator("#delete")).ToBeEnabledAsync();
        (await GatewayJobs.WaitEndedAsync(fixture.Gateway, id, TimeSpan.FromSeconds(10), Ct)).State.ShouldBe(JobState.Cancelled);
    }

    [Fact]
    public async Task JobPage_UnknownJob_ShowsTheApisMessage()
    {
        var page = await fixture.Chromium.OpenAsync($"{Dashboard}/#/job/0000000000000000");

        var error = page.Locator("#error");
        await Expect(error).ToBeVisibleAsync();
        await Expect(error).ToContainTextAsync(NotFound());
    }

    [Fact]
    public async Task JobPage_Metrics_ChartShowsThePointsTheJobReported()
    {
        var id = await SubmitAsync(Unique("metrics"), "sh", "-c", Report("loss", [0.9, 0.7, 0.5, 0.4, 0.3]));
        await RequireMetricsApiAsync(id);
        var page = await fixture.Chromium.OpenAsync($"{Dashboard}/#/job/{id}");

        await Expect(page.Locator("figure[data-metric='loss'] .chart-box")).ToHaveAttributeAsync("data-points", "5", new() { Timeout = 30_000 });
        await Expect(page.Locator("figure[data-metric='loss'] canvas")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Compare_TwoRuns_ShowsEachRunsValuesAndMarksDifferences()
    {
        var project = Unique("compare");
        var a = await SubmitAsync(project, "sh", "-c", Report("loss", [0.9, 0.5, 0.25]));
        var b = await SubmitAsync(project, "sh", "-c", Report("loss", [0.8, 0.6, 0.125]));
        await RequireMetricsApiAsync(a);
        await GatewayJobs.WaitEndedAsync(fixture.Gateway, b, TimeSpan.FromSeconds(30), Ct);

        var page = await fixture.Chromium.OpenAsync($"{Dashboard}/#/compare?ids={a},{b}");

        var last = page.Locator("tr[data-row='metric:loss last']");
        await Expect(last.Locator("td")).ToHaveTextAsync(["0.25", "0.125"], new() { Timeout = 30_000 });
        await Expect(page.Locator("tr[data-row='metric:loss max'] td")).ToHaveTextAsync(["0.9", "0.8"]);
        await Expect(last).ToHaveClassAsync("differs");
        await Expect(page.Locator("tr[data-row='job:state']")).Not.ToHaveClassAsync("differs");
        await Expect(page.Locator("figure[data-metric='loss'] .chart-box")).ToHaveAttributeAsync("data-points", "6");
    }

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..16];

    // A job that reports its metric through ATLAS_METRICS_FILE, one JSON line per point.
    private static string Report(string metric, double[] values) =>
        string.Join("; ", values.Select((v, i) => FormattableString.Invariant($"echo '{{\"metric\":\"{metric}\",\"value\":{v},\"step\":{i}}}' >> \"$ATLAS_METRICS_FILE\"")));

    private async Task<string> SubmitAsync(string project, params string[] command) =>
        await GatewayJobs.SubmitAsync(fixture.Gateway, new JobSpec { Project = project, Name = project, Command = command }, Ct);

    // The metrics API comes with experiment tracking (issue 11's back end); until it is in the build, the
    // chart tests have nothing to read and say so instead of failing on a missing route.
    private async Task RequireMetricsApiAsync(string id)
    {
        await GatewayJobs.WaitEndedAsync(fixture.Gateway, id, TimeSpan.FromSeconds(30), Ct);
        using var response = await fixture.Gateway.GetAsync($"/api/v1/jobs/{id}/metrics", Ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            Assert.Skip("GET /api/v1/jobs/{id}/metrics is not in this build (the tracking back end is merged separately).");
        }
        response.EnsureSuccessStatusCode();
    }

    [GeneratedRegex("not found", RegexOptions.IgnoreCase)]
    private static partial Regex NotFound();
}
