using System.Globalization;

namespace Atlas.Bench;

/// <summary>What <see cref="QueueScenario"/> measured, printed as a table.</summary>
internal sealed record QueueResults(
    int Jobs, int Nodes, double FillSeconds, double RedisBytesPerJob, (double P50Ms, double P99Ms) ApiList, (double P50Ms, double P99Ms) CliList,
    long MasterRssBytes, IReadOnlyList<(int Queued, double P50Ms, double P99Ms)> PlacementPasses, double DrainPerSecond, int DrainSeconds)
{
    public void Print(TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine($"Atlas queue bench: {Jobs} queued no-op jobs, {Nodes} nodes draining while it filled, {Environment.ProcessorCount} cores");
        output.WriteLine();
        output.WriteLine("| measure | value |");
        output.WriteLine("|---|---|");
        output.WriteLine(string.Format(c, "| queued through the store | {0:F1} s ({1:F0} /s) |", FillSeconds, Jobs / FillSeconds));
        output.WriteLine(string.Format(c, "| Redis memory per queued job | {0:F0} B |", RedisBytesPerJob));
        output.WriteLine(string.Format(c, "| GET /api/v1/jobs (100 newest) p50 / p99 | {0:F1} / {1:F1} ms |", ApiList.P50Ms, ApiList.P99Ms));
        output.WriteLine(string.Format(c, "| atlas ls p50 / p99 (in-process CLI) | {0:F1} / {1:F1} ms |", CliList.P50Ms, CliList.P99Ms));
        output.WriteLine(string.Format(c, "| master RSS | {0:F0} MB |", MasterRssBytes / 1048576.0));
        foreach (var (queued, p50, p99) in PlacementPasses)
        {
            output.WriteLine(string.Format(c, "| placement pass when a slot frees, {0} queued: p50 / p99 | {1:F2} / {2:F2} ms |", queued, p50, p99));
        }
        output.WriteLine(string.Format(c, "| drain once nodes take work ({0} s) | {1:F0} jobs/s |", DrainSeconds, DrainPerSecond));
    }
}
