using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Testing;
using Microsoft.Playwright;

namespace Atlas.Dashboard.Bench;

/// <summary>
/// The README's pictures of the dashboard, from real jobs on the cluster: a small learning-rate
/// sweep (each run prints its epochs and reports its loss through ATLAS_METRICS_FILE), one run that
/// fails and one still running. See docs/SCREENSHOTS.md.
/// </summary>
internal sealed class Screenshots(HttpClient gateway, Chromium chromium, string dashboard)
{
    private const string Project = "resnet-sweep";

    public async Task TakeAsync(string dir)
    {
        Directory.CreateDirectory(dir);
        var runs = new List<string>();
        foreach (var (lr, decay) in new[] { ("0.1", 0.80), ("0.03", 0.88), ("0.01", 0.93) })
        {
            runs.Add(await SubmitAsync($"resnet50-lr{lr}", Labels(lr, "sweep") + Train(decay, 40, 0.05)));
        }
        await SubmitAsync("resnet50-lr0.3", "echo 'epoch 0 loss nan'; echo 'error: loss is not a number' >&2; exit 1");
        var running = await SubmitAsync("resnet101-lr0.03", Labels("0.03", "long") + Train(0.9, 2000, 0.5));
        foreach (var id in runs)
        {
            await WaitEndedAsync(id);
        }
        await Task.Delay(TimeSpan.FromSeconds(3));

        await ShotAsync($"#/jobs?project={Project}", Path.Combine(dir, "dashboard-jobs.png"), "tr[data-job]", 520);
        await ShotAsync($"#/job/{runs[1]}", Path.Combine(dir, "dashboard-job.png"), ".log-line", 1000);
        await ShotAsync($"#/compare?ids={string.Join(',', runs)}", Path.Combine(dir, "dashboard-compare.png"), "#compare", 800);
        using var stop = await gateway.PostAsync($"/api/v1/jobs/{running}/stop", null);
    }

    // The run's param and tag, reported the same way as its metric.
    private static string Labels(string lr, string stage) =>
        $"[ -z \"$ATLAS_METRICS_FILE\" ] || printf '%s\\n' '{{\"param\":\"lr\",\"value\":{lr}}}' '{{\"param\":\"batch\",\"value\":64}}' '{{\"tag\":\"stage\",\"value\":\"{stage}\"}}' >> \"$ATLAS_METRICS_FILE\"; ";

    // A training loop in sh: one line of output and one metric point per epoch.
    private static string Train(double decay, int epochs, double pause) => string.Create(CultureInfo.InvariantCulture,
        $"loss=2.5; i=0; while [ $i -lt {epochs} ]; do loss=$(awk -v l=$loss -v i=$i 'BEGIN {{ printf \"%.4f\", l * {decay} + 0.02 * sin(i) }}'); " +
        $"echo \"epoch $i loss $loss\"; [ -z \"$ATLAS_METRICS_FILE\" ] || echo \"{{\\\"metric\\\":\\\"loss\\\",\\\"value\\\":$loss,\\\"step\\\":$i}}\" >> \"$ATLAS_METRICS_FILE\"; i=$((i+1)); sleep {pause}; done");

    private async Task<string> SubmitAsync(string name, string script)
    {
        using var content = JobUpload.Multipart(JsonSerializer.Serialize(new JobSpec { Project = Project, Name = name, Command = ["sh", "-c", script] }, AtlasJson.Options),
            JobUpload.Bundle(("train.py", "# the sweep runs from sh in this picture")));
        using var response = await gateway.PostAsync("/api/v1/jobs", content);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options))!.Id;
    }

    private async Task WaitEndedAsync(string id)
    {
        for (var i = 0; i < 1200 && !JobStateMachine.IsTerminal((await gateway.GetFromJsonAsync<JobView>($"/api/v1/jobs/{id}", AtlasJson.Options))!.State); i++)
        {
            await Task.Delay(100);
        }
    }

    private async Task ShotAsync(string route, string path, string ready, int height)
    {
        var page = await chromium.OpenAsync($"{dashboard}/{route}");
        await page.SetViewportSizeAsync(1400, height);
        await page.Locator(ready).First.WaitForAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        await page.Context.CloseAsync();
        Console.WriteLine($"wrote {path}");
    }
}
