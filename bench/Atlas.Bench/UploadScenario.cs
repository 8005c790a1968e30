using System.Diagnostics;
using System.Globalization;
using Atlas.Cli;
using Atlas.Cli.Api;
using Atlas.Cli.Packing;
using Atlas.Core.Jobs;
using Atlas.Testing;

namespace Atlas.Bench;

/// <summary>
/// Issue 10's content-addressed upload, with the real CLI (in-process, one home folder, so one
/// hash cache) against the cluster through the gateway: the first submit of a project of
/// <see cref="BenchSettings.UploadFiles"/> files and <see cref="BenchSettings.UploadMegabytes"/> MB,
/// then <see cref="BenchSettings.LatencyJobs"/> rounds that alternate a submit of an empty folder
/// and a resubmit of the unchanged project (the difference is what an unchanged project costs),
/// then a submit after one file changed, counting the blobs it sent. Each round's jobs are waited
/// for until they run (the worker builds a manifest job's <c>work/</c> while it is starting), so
/// the next submit is not timed against that build, and the time from the record to running is
/// reported apart: the cost the submit no longer has, now paid before the job runs.
/// </summary>
internal sealed class UploadScenario(ClusterProcess cluster, BenchSettings settings)
{
    private readonly List<string> _requests = [];

    public async Task RunAsync(TextWriter output)
    {
        using var home = new TempFolder("atlas-bench-home");
        using var empty = new TempFolder("atlas-bench-empty");
        using var project = new TempFolder("atlas-bench-project");
        var perFile = settings.UploadMegabytes * 1024L * 1024 / settings.UploadFiles;
        var random = new Random(10);
        var past = DateTime.UtcNow.AddMinutes(-5); // older than the hash cache's racy window
        for (var i = 0; i < settings.UploadFiles; i++)
        {
            var path = project.Combine($"d{i / 100:D3}/f{i:D5}.bin");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var bytes = new byte[perFile];
            random.NextBytes(bytes);
            await File.WriteAllBytesAsync(path, bytes);
            File.SetLastWriteTimeUtc(path, past);
        }

        for (var i = 0; i < 5; i++)
        {
            await SubmitAsync(home.Path, empty.Path); // warm-up: the CLI's and the services' code is jitted
        }
        var first = await TimedAsync(home.Path, project.Path);
        var firstPuts = Puts();

        var emptyMs = new List<double>();
        var unchangedMs = new List<double>();
        var emptyToRunning = new List<double>();
        var unchangedToRunning = new List<double>();
        var unchangedPuts = 0;
        using var api = new AtlasApiClient(new Uri(cluster.GatewayUrl));
        for (var i = 0; i < settings.LatencyJobs; i++)
        {
            var (ms, id) = await TimedSubmitAsync(home.Path, empty.Path);
            emptyMs.Add(ms);
            emptyToRunning.Add(await ToRunningAsync(api, id));
            (ms, id) = await TimedSubmitAsync(home.Path, project.Path);
            unchangedMs.Add(ms);
            unchangedPuts += Puts();
            unchangedToRunning.Add(await ToRunningAsync(api, id));
        }

        // The CLI's own part of a resubmit: walking the folder and reading the hash cache.
        var packMs = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            await ManifestPacker.PackAsync(project.Path, home.Path, TimeProvider.System, CancellationToken.None);
            packMs.Add(clock.Elapsed.TotalMilliseconds);
        }
        packMs.Sort();

        var changed = project.Combine("d000/f00000.bin");
        await File.AppendAllTextAsync(changed, "one more line");
        File.SetLastWriteTimeUtc(changed, past.AddSeconds(1));
        var oneChangeMs = await TimedAsync(home.Path, project.Path);
        var oneChangePuts = Puts();

        // Before this change: the same project packed and sent as a .tar.gz (what the CLI still
        // does for a cluster without the blob API), with the same client code.
        var tarballMs = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            tarballMs.Add(await TarballAsync(project.Path));
        }

        emptyMs.Sort();
        tarballMs.Sort();
        unchangedMs.Sort();
        emptyToRunning.Sort();
        unchangedToRunning.Sort();
        var c = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine($"Atlas upload bench: {settings.UploadFiles} files, {settings.UploadMegabytes} MB, in-process CLI through the gateway, {Environment.ProcessorCount} cores, {settings.LatencyJobs} rounds");
        output.WriteLine();
        output.WriteLine("| measure | value |");
        output.WriteLine("|---|---|");
        output.WriteLine(string.Format(c, "| first submit of the project (hash all, upload all) | {0:F0} ms, {1} blobs sent |", first, firstPuts));
        output.WriteLine(string.Format(c, "| submit of an empty folder p50 / p90 | {0:F0} / {1:F0} ms |", Percentile(emptyMs, 0.5), Percentile(emptyMs, 0.9)));
        output.WriteLine(string.Format(c, "| resubmit of the unchanged project p50 / p90 | {0:F0} / {1:F0} ms, {2} blobs sent in all |", Percentile(unchangedMs, 0.5), Percentile(unchangedMs, 0.9), unchangedPuts));
        output.WriteLine(string.Format(c, "| of which the CLI's walk and cached hashes, median of 5 | {0:F0} ms |", Percentile(packMs, 0.5)));
        output.WriteLine(string.Format(c, "| unchanged project minus empty folder, p50 | {0:F0} ms (goal: at most 200) |", Percentile(unchangedMs, 0.5) - Percentile(emptyMs, 0.5)));
        output.WriteLine(string.Format(c, "| recorded to running, empty folder p50 / p90 | {0:F0} / {1:F0} ms |", Percentile(emptyToRunning, 0.5), Percentile(emptyToRunning, 0.9)));
        output.WriteLine(string.Format(c, "| recorded to running, unchanged project (the worker builds work/) p50 / p90 | {0:F0} / {1:F0} ms |", Percentile(unchangedToRunning, 0.5), Percentile(unchangedToRunning, 0.9)));
        output.WriteLine(string.Format(c, "| submit after one file changed | {0:F0} ms, {1} blobs sent |", oneChangeMs, oneChangePuts));
        output.WriteLine(string.Format(c, "| before: the same project as a .tar.gz (pack, upload, unpack), median of 3 | {0:F0} ms |", Percentile(tarballMs, 0.5)));
    }

    private async Task<double> TarballAsync(string folder)
    {
        var clock = Stopwatch.StartNew();
        var bundle = Path.Combine(Path.GetTempPath(), $"atlas-bench-{Guid.NewGuid():n}.tar.gz");
        try
        {
            await BundlePacker.PackAsync(folder, bundle, CancellationToken.None);
            using var client = new AtlasApiClient(new Uri(cluster.GatewayUrl));
            await client.SubmitAsync(new JobSpec { Command = ["true"], Project = "bench-upload" }, bundle, null, CancellationToken.None);
            return clock.Elapsed.TotalMilliseconds;
        }
        finally
        {
            File.Delete(bundle);
        }
    }

    private async Task<double> TimedAsync(string home, string folder) => (await TimedSubmitAsync(home, folder)).Ms;

    /// <summary>What the CLI's user waits for: <c>atlas submit</c> until it prints the job's id.</summary>
    private async Task<(double Ms, string Id)> TimedSubmitAsync(string home, string folder)
    {
        var clock = Stopwatch.StartNew();
        var id = await SubmitAsync(home, folder);
        return (clock.Elapsed.TotalMilliseconds, id);
    }

    private async Task<string> SubmitAsync(string home, string folder)
    {
        var stdout = new StringWriter();
        var context = new CliContext(stdout, TextWriter.Null, name => name == "ATLAS_URL" ? cluster.GatewayUrl : null, home)
        {
            Handler = new CountingHandler(_requests),
        };
        if (await AtlasCli.RunAsync(["submit", "--project", "bench-upload", folder, "--", "true"], context) != 0)
        {
            throw new InvalidOperationException($"atlas submit {folder} failed");
        }
        return stdout.ToString().Trim();
    }

    /// <summary>Waits (at most a minute) until the job has started; the time from its record to its start, both Redis's clock.</summary>
    private static async Task<double> ToRunningAsync(AtlasApiClient api, string id)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var job = await api.GetJobAsync(id, CancellationToken.None);
            if (job.StartedAt is { } started)
            {
                return (started - job.SubmittedAt).TotalMilliseconds;
            }
            if (JobStateMachine.IsTerminal(job.State) || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"job {id} did not start: {job.State} {job.Reason}");
            }
            await Task.Delay(10);
        }
    }

    private int Puts()
    {
        lock (_requests)
        {
            var puts = _requests.Count(r => r == "PUT");
            _requests.Clear();
            return puts;
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private sealed class CountingHandler(List<string> requests) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (requests)
            {
                requests.Add(request.Method.Method);
            }
            return base.SendAsync(request, cancellationToken);
        }
    }
}
