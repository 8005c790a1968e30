using System.Globalization;
using Atlas.Core.Jobs;
using Atlas.Core.SharedVolume;
using Atlas.Testing;

namespace Atlas.Bench;

/// <summary>
/// <c>--scenario start</c>: submit-to-start on an idle cluster, one job at a time, three ways
/// side by side: to the claim (<c>claimedAt</c>: the node took it), to the recorded start
/// (<c>startedAt</c>: the runtime saw the process start), and to the job's own first instruction
/// (the job is <c>date +%s%N</c>, whose first act is to read the clock; the machine's clock, the
/// same one Redis reads on a single machine).
/// </summary>
internal sealed class StartScenario(HttpClient client, ClusterProcess cluster, BenchSettings settings)
{
    private static readonly string[] ReadClock = ["date", "+%s%N"];

    public async Task<StartResults> RunAsync()
    {
        var paths = new JobPaths(cluster.SharedRoot);
        for (var i = 0; i < settings.WarmupJobs; i++)
        {
            await RunOneAsync(paths);
        }
        var claim = new List<double>(settings.LatencyJobs);
        var recorded = new List<double>(settings.LatencyJobs);
        var first = new List<double>(settings.LatencyJobs);
        for (var i = 0; i < settings.LatencyJobs; i++)
        {
            var (job, ranAt) = await RunOneAsync(paths);
            claim.Add((job.ClaimedAt!.Value - job.SubmittedAt).TotalMilliseconds);
            recorded.Add((job.StartedAt!.Value - job.SubmittedAt).TotalMilliseconds);
            first.Add((ranAt - job.SubmittedAt).TotalMilliseconds);
        }
        claim.Sort();
        recorded.Sort();
        first.Sort();
        return new StartResults(settings.LatencyJobs, claim, recorded, first);
    }

    private async Task<(JobView Job, DateTimeOffset RanAt)> RunOneAsync(JobPaths paths)
    {
        using var content = Scenarios.SubmitContent("start", command: ReadClock);
        var job = await Scenarios.RunToEndAsync(client, content, TimeSpan.FromMilliseconds(5));
        var ns = long.Parse(File.ReadAllText(paths.OutputLog(job.Id)).Trim(), CultureInfo.InvariantCulture);
        return (job, DateTimeOffset.UnixEpoch.AddTicks(ns / 100));
    }
}
