using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Testing;

namespace Atlas.Dashboard.Bench;

/// <summary>
/// The dashboard's figures: the job table's query time with many jobs in Redis (several query
/// shapes, through the gateway and through the dashboard's proxy), the job page's first paint in
/// headless chromium, and the resident memory of the dashboard and of the master (which keeps the index).
/// </summary>
internal sealed class TableBench(HttpClient gateway, Chromium chromium, ClusterProcess cluster, DashboardBenchSettings settings)
{
    private static readonly string[] Shapes =
    [
        "limit=50",
        "sort=name&order=asc&limit=50",
        "project=project-07&sort=duration&order=desc&limit=50",
        "state=failed&user=user-3&limit=50",
        "sort=param:lr&order=asc&limit=50",
    ];

    public async Task RunAsync(TextWriter output)
    {
        var seed = Stopwatch.StartNew();
        await JobSeeder.SeedAsync(cluster.RedisConnectionString, settings.Jobs, TimeProvider.System);
        await output.WriteLineAsync(FormattableString.Invariant($"seeded {settings.Jobs} finished jobs in {seed.Elapsed.TotalSeconds:F1} s"));

        var cold = Stopwatch.StartNew();
        var first = await gateway.GetFromJsonAsync<JsonElement>("/api/v1/jobs/query?limit=50");
        await output.WriteLineAsync(FormattableString.Invariant($"first query (loads the index): {cold.Elapsed.TotalMilliseconds:F0} ms, total {first.GetProperty("total").GetInt32()}"));

        using var viaDashboard = new HttpClient { BaseAddress = new Uri(cluster.AtlasDashboardUrl) };
        await output.WriteLineAsync("query                                                  via      p50 ms   p95 ms   max ms");
        foreach (var shape in Shapes)
        {
            await Report(output, shape, "gateway", await TimeAsync(gateway, shape));
        }
        await Report(output, Shapes[0], "dashboard", await TimeAsync(viaDashboard, Shapes[0]));

        var before = await ProcessMemory.RssOfListenerAsync(new Uri(cluster.AtlasDashboardUrl).Port);
        var (fcp, shown) = await PaintAsync();
        var after = await ProcessMemory.RssOfListenerAsync(new Uri(cluster.AtlasDashboardUrl).Port);
        var master = await ProcessMemory.RssOfNamedAsync("Atlas.Master");
        await output.WriteLineAsync(FormattableString.Invariant(
            $"job page ({settings.Paints} loads, fresh browser context each): first contentful paint p50 {Percentile(fcp, 50):F0} ms (max {fcp.Max():F0}), job shown p50 {Percentile(shown, 50):F0} ms (max {shown.Max():F0})"));
        await output.WriteLineAsync($"dashboard RSS: {Mib(before)} before the page loads, {Mib(after)} after; master RSS (with the index of {settings.Jobs} jobs): {Mib(master)}");
    }

    private static string Mib(long? bytes) => bytes is { } b ? FormattableString.Invariant($"{b / 1024.0 / 1024.0:F0} MiB") : "n/a";

    private async Task<List<double>> TimeAsync(HttpClient http, string shape)
    {
        for (var i = 0; i < 5; i++)
        {
            (await http.GetAsync($"/api/v1/jobs/query?{shape}")).EnsureSuccessStatusCode();
        }
        var times = new List<double>(settings.Queries);
        for (var i = 0; i < settings.Queries; i++)
        {
            var sw = Stopwatch.StartNew();
            using var response = await http.GetAsync($"/api/v1/jobs/query?{shape}");
            await response.Content.ReadAsByteArrayAsync();
            times.Add(sw.Elapsed.TotalMilliseconds);
            response.EnsureSuccessStatusCode();
        }
        return times;
    }

    private static Task Report(TextWriter output, string shape, string via, List<double> times) =>
        output.WriteLineAsync(FormattableString.Invariant($"{shape,-54} {via,-9}{Percentile(times, 50),7:F1}  {Percentile(times, 95),7:F1}  {times.Max(),7:F1}"));

    private static double Percentile(List<double> values, int p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    // A real finished job with 2,000 log lines, its page loaded in a fresh context each time.
    private async Task<(List<double> Fcp, List<double> Shown)> PaintAsync()
    {
        using var content = JobUpload.Multipart(JsonSerializer.Serialize(new JobSpec
        {
            Project = "paint", Name = "paint", Command = ["sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo \"epoch $i loss 0.$i\"; i=$((i+1)); done"],
        }, AtlasJson.Options), JobUpload.Bundle(("a.txt", "a")));
        using var submitted = await gateway.PostAsync("/api/v1/jobs", content);
        submitted.EnsureSuccessStatusCode();
        var id = (await submitted.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options))!.Id;
        for (var i = 0; i < 600 && !JobStateMachine.IsTerminal((await gateway.GetFromJsonAsync<JobView>($"/api/v1/jobs/{id}", AtlasJson.Options))!.State); i++)
        {
            await Task.Delay(100);
        }
        var fcp = new List<double>();
        var shown = new List<double>();
        for (var i = 0; i < settings.Paints + 1; i++)
        {
            var page = await chromium.OpenAsync($"{cluster.AtlasDashboardUrl}/#/job/{id}");
            await page.Locator("h1 .state").WaitForAsync();
            var at = await page.EvaluateAsync<double>("() => performance.now()");
            var paint = await page.EvaluateAsync<double>("() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1");
            await page.Context.CloseAsync();
            if (i > 0)
            {
                // The first load warms the server's JIT and the browser's caches of nothing else.
                fcp.Add(paint);
                shown.Add(at);
            }
        }
        return (fcp, shown);
    }
}
