using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Atlas.Core;
using Atlas.Core.Jobs;

namespace Atlas.Bench;

/// <summary>
/// The three measurements of issue 2, all for no-op jobs (<c>true</c>) through the gateway:
/// submit throughput and end-to-end throughput over the same batch, then submit-to-start latency
/// one job at a time on an idle cluster. Times of the job's life come from the job records
/// (Redis's clock), not from polling.
/// </summary>
internal sealed class Scenarios(HttpClient client, BenchSettings settings)
{
    private static readonly byte[] EmptyBundle = MakeEmptyBundle();

    public async Task<BenchResults> RunAsync()
    {
        // Warm-up: the services' code is jitted and tiered up before anything is timed.
        await WaitAllEndedAsync(await SubmitBatchAsync(settings.WarmupJobs));

        var cpuBefore = CpuSnapshot.Take();
        await using var jit = JitSampler.Start();
        var clock = Stopwatch.StartNew();
        var ids = await SubmitBatchAsync(settings.Jobs);
        var submitSeconds = clock.Elapsed.TotalSeconds;
        var batch = await WaitAllEndedAsync(ids);
        var cpu = CpuSnapshot.Take().PerJobSince(cpuBefore, settings.Jobs);
        var jitMsPerJob = (await jit.StopAsync()).TotalMilliseconds / settings.Jobs;
        var first = batch.Min(j => j.SubmittedAt);
        var last = batch.Max(j => j.FinishedAt ?? j.SubmittedAt);
        var failed = batch.Count(j => j.State != JobState.Succeeded);

        var latencies = new List<double>(settings.LatencyJobs);
        for (var i = 0; i < settings.LatencyJobs; i++)
        {
            var job = await SubmitAsync();
            var ended = await WaitEndedAsync(job.Id, TimeSpan.FromMilliseconds(5));
            latencies.Add((ended.StartedAt!.Value - ended.SubmittedAt).TotalMilliseconds);
        }
        latencies.Sort();

        // Warmed up first, like the cluster, then timed over as many spawns as the batch had jobs.
        await RawSpawn.PerSecondAsync(Math.Min(500, settings.Jobs), settings.Workers * settings.Slots);
        var rawPerSecond = await RawSpawn.PerSecondAsync(settings.Jobs, settings.Workers * settings.Slots);

        return new BenchResults(
            SubmitPerSecond: settings.Jobs / submitSeconds,
            EndToEndPerSecond: settings.Jobs / (last - first).TotalSeconds,
            FailedJobs: failed,
            StartP50Ms: Percentile(latencies, 0.50),
            StartP99Ms: Percentile(latencies, 0.99),
            CpuMsPerJob: cpu,
            JitMsPerJob: jitMsPerJob,
            RawSpawnPerSecond: rawPerSecond);
    }

    private async Task<string[]> SubmitBatchAsync(int count)
    {
        var ids = new string[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                ids[i] = (await SubmitAsync()).Id;
            }
        }));
        return ids;
    }

    /// <summary>A submit of a no-op job (<c>true</c>, or <paramref name="command"/>) with an empty bundle, in <paramref name="project"/>.</summary>
    internal static MultipartFormDataContent SubmitContent(string project = "bench", string? image = null, IReadOnlyList<string>? command = null)
    {
        var content = new MultipartFormDataContent();
        var spec = JsonContent.Create(new JobSpec { Command = command ?? ["true"], Project = project, Image = image }, options: AtlasJson.Options);
        content.Add(spec, "spec");
        var bundle = new ByteArrayContent(EmptyBundle);
        bundle.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        content.Add(bundle, "bundle", "bundle.tar.gz");
        return content;
    }

    private async Task<JobView> SubmitAsync()
    {
        using var content = SubmitContent();
        using var response = await client.PostAsync("/api/v1/jobs", content);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options))!;
    }

    // Polls only the last job (cheap), then reads the whole batch once: listing a thousand jobs
    // every few milliseconds would load the master more than the jobs do.
    private async Task<IReadOnlyList<JobView>> WaitAllEndedAsync(string[] ids)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await WaitEndedAsync(ids[^1], TimeSpan.FromMilliseconds(100));
            var jobs = (await client.GetFromJsonAsync<List<JobView>>($"/api/v1/jobs?project=bench&limit={ids.Length}", AtlasJson.Options))!;
            if (jobs.Count >= ids.Length && jobs.All(j => JobStateMachine.IsTerminal(j.State)))
            {
                return jobs;
            }
            if (deadline.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException($"{jobs.Count(j => !JobStateMachine.IsTerminal(j.State))} jobs had not ended after 10 minutes.");
            }
            await Task.Delay(200);
        }
    }

    private async Task<JobView> WaitEndedAsync(string id, TimeSpan poll)
    {
        while (true)
        {
            var job = (await client.GetFromJsonAsync<JobView>($"/api/v1/jobs/{id}", AtlasJson.Options))!;
            if (JobStateMachine.IsTerminal(job.State))
            {
                return job;
            }
            await Task.Delay(poll);
        }
    }

    /// <summary>Submits <paramref name="content"/> and polls the job every <paramref name="poll"/> until it ends; throws unless it succeeded.</summary>
    internal static async Task<JobView> RunToEndAsync(HttpClient client, MultipartFormDataContent content, TimeSpan poll)
    {
        using var response = await client.PostAsync("/api/v1/jobs", content);
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options))!.Id;
        while (true)
        {
            var job = (await client.GetFromJsonAsync<JobView>($"/api/v1/jobs/{id}", AtlasJson.Options))!;
            if (JobStateMachine.IsTerminal(job.State))
            {
                return job.State == JobState.Succeeded ? job : throw new InvalidOperationException($"Job {id} ended {job.State}: {job.Reason}");
            }
            await Task.Delay(poll);
        }
    }

    internal static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static byte[] MakeEmptyBundle()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (new TarWriter(gzip))
        {
        }
        return buffer.ToArray();
    }
}
