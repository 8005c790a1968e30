using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Tracking;

namespace Atlas.Bench;

/// <summary>
/// Issue 11's ingest figure: <see cref="BenchSettings.FloodJobs"/> jobs at once, each appending
/// <see cref="BenchSettings.Points"/> metric points to its ATLAS_METRICS_FILE as fast as awk
/// writes them. A job's rate is its points over the time from its start (the record's, Redis's
/// clock) until the API shows its last point; overall, all points over first start to last stored.
/// Beside it, side by side in the same run, a small job that reports 20 points with short sleeps:
/// its run time alone before the flood and during it, to show the flood does not slow other jobs.
/// </summary>
internal sealed class MetricsScenario(HttpClient client, BenchSettings settings)
{
    private const string Project = "bench-metrics";
    private const string Canary = "for i in $(seq 1 20); do echo \"{\\\"metric\\\":\\\"c\\\",\\\"value\\\":$i,\\\"step\\\":$i}\" >> \"$ATLAS_METRICS_FILE\"; sleep 0.05; done";

    public async Task RunAsync(TextWriter output)
    {
        var alone = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            alone.Add(await CanaryAsync());
        }

        var flood = $"awk 'BEGIN {{ for (i = 0; i < {settings.Points}; i++) printf \"{{\\\"metric\\\":\\\"x\\\",\\\"value\\\":%d,\\\"step\\\":%d}}\\n\", i % 97, i }}' >> \"$ATLAS_METRICS_FILE\"";
        var ids = new List<string>();
        for (var i = 0; i < settings.FloodJobs; i++)
        {
            ids.Add((await SubmitAsync(flood)).Id);
        }
        var during = new List<double>();
        var canaries = Task.Run(async () =>
        {
            for (var i = 0; i < 3; i++)
            {
                during.Add(await CanaryAsync());
            }
        });

        // When each job's last point is visible through the API (runs: one summary read per job).
        var stored = new Dictionary<string, DateTimeOffset>();
        var clock = Stopwatch.StartNew();
        while (stored.Count < ids.Count && clock.Elapsed < TimeSpan.FromMinutes(10))
        {
            var runs = (await client.GetFromJsonAsync<List<RunView>>($"/api/v1/projects/{Project}/runs?metrics=x&limit=1000", AtlasJson.Options))!;
            foreach (var run in runs.Where(r => ids.Contains(r.JobId) && !stored.ContainsKey(r.JobId)))
            {
                if (run.Metrics.TryGetValue("x", out var x) && x.Step == settings.Points - 1)
                {
                    stored[run.JobId] = DateTimeOffset.UtcNow;
                }
            }
            await Task.Delay(50);
        }
        await canaries;
        var jobs = new List<JobView>();
        foreach (var id in ids)
        {
            jobs.Add((await client.GetFromJsonAsync<JobView>($"/api/v1/jobs/{id}", AtlasJson.Options))!);
        }

        output.WriteLine($"metrics ingest: {settings.FloodJobs} jobs x {settings.Points} points, at once ({settings.Workers} workers x {settings.Slots} slots)");
        foreach (var job in jobs)
        {
            var seconds = (stored[job.Id] - job.StartedAt!.Value).TotalSeconds;
            output.WriteLine($"  job {job.Id}: {settings.Points / seconds,10:N0} points/s ({seconds:0.00} s from start to last point stored)");
        }
        var overall = (stored.Values.Max() - jobs.Min(j => j.StartedAt!.Value)).TotalSeconds;
        output.WriteLine($"  overall: {settings.Points * (double)settings.FloodJobs / overall,10:N0} points/s");
        var series = (await client.GetFromJsonAsync<MetricsView>($"/api/v1/jobs/{ids[0]}/metrics", AtlasJson.Options))!.Series.Single();
        output.WriteLine($"  kept in Redis per series: {series.Values.Count} points (max {series.Values.Max()}, min {series.Values.Min()}, last step {series.Steps[^1]})");
        output.WriteLine($"small reporting job, run time (s): alone {string.Join(", ", alone.Select(F))}; during the flood {string.Join(", ", during.Select(F))}");
    }

    private static string F(double seconds) => seconds.ToString("0.00", CultureInfo.InvariantCulture);

    // A small job's start-to-finish time on the record (Redis's clock).
    private async Task<double> CanaryAsync()
    {
        var job = await SubmitAsync(Canary);
        while (!JobStateMachine.IsTerminal(job.State))
        {
            await Task.Delay(50);
            job = (await client.GetFromJsonAsync<JobView>($"/api/v1/jobs/{job.Id}", AtlasJson.Options))!;
        }
        return (job.FinishedAt!.Value - job.StartedAt!.Value).TotalSeconds;
    }

    private async Task<JobView> SubmitAsync(string script)
    {
        using var content = Scenarios.SubmitContent(Project, command: ["/bin/sh", "-c", script]);
        using var response = await client.PostAsync("/api/v1/jobs", content);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options))!;
    }
}
