using System.Globalization;

namespace Atlas.Bench;

/// <summary>What <see cref="StartScenario"/> measured (sorted milliseconds after the submit), printed as a table.</summary>
internal sealed record StartResults(int Jobs, List<double> ClaimMs, List<double> RecordedStartMs, List<double> FirstInstructionMs)
{
    public void Print(TextWriter output, BenchSettings s)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine($"Atlas start bench: {Jobs} jobs one at a time on an idle cluster, {s.Workers} workers x {s.Slots} slots, process runtime, {Environment.ProcessorCount} cores");
        output.WriteLine();
        output.WriteLine("| from the submit to | p50 | p99 |");
        output.WriteLine("|---|---|---|");
        foreach (var (name, values) in new[] { ("the claim (claimedAt)", ClaimMs), ("the recorded start (startedAt)", RecordedStartMs), ("the job's first instruction", FirstInstructionMs) })
        {
            output.WriteLine(string.Format(c, "| {0} | {1:F1} ms | {2:F1} ms |", name, Scenarios.Percentile(values, 0.5), Scenarios.Percentile(values, 0.99)));
        }
    }
}
