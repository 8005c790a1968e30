using System.Globalization;

namespace Atlas.Bench;

/// <summary>The load scenario's figures: requests, errors by kind, and submit and poll latency.</summary>
internal sealed record LoadResults(
    TimeSpan Elapsed, int Submits, int Polls, int JobsEnded, IReadOnlyDictionary<string, int> Errors,
    double SubmitP50Ms, double SubmitP99Ms, double PollP50Ms, double PollP99Ms)
{
    public void Print(TextWriter output, BenchSettings s)
    {
        var c = CultureInfo.InvariantCulture;
        var errors = Errors.Values.Sum();
        output.WriteLine();
        output.WriteLine($"Atlas load: {s.Clients} clients submitting and polling through the gateway for {Elapsed.TotalSeconds:F0} s; "
            + $"{s.Workers} workers x {s.Slots} slots, process runtime, no-op jobs, {Environment.ProcessorCount} cores");
        output.WriteLine();
        output.WriteLine("| measure                     | value              |");
        output.WriteLine("|-----------------------------|--------------------|");
        Row(output, "requests", (Submits + Polls).ToString(c));
        Row(output, "submits", string.Format(c, "{0} ({1:F0}/s)", Submits, Submits / Elapsed.TotalSeconds));
        Row(output, "polls", string.Format(c, "{0} ({1:F0}/s)", Polls, Polls / Elapsed.TotalSeconds));
        Row(output, "jobs followed to their end", JobsEnded.ToString(c));
        Row(output, "errors", errors.ToString(c));
        foreach (var (kind, count) in Errors.OrderByDescending(e => e.Value))
        {
            Row(output, "  " + kind, count.ToString(c));
        }
        Row(output, "submit p50 / p99", string.Format(c, "{0:F0} / {1:F0} ms", SubmitP50Ms, SubmitP99Ms));
        Row(output, "poll p50 / p99", string.Format(c, "{0:F0} / {1:F0} ms", PollP50Ms, PollP99Ms));
    }

    private static void Row(TextWriter output, string measure, string value) => output.WriteLine($"| {measure,-27} | {value,-18} |");
}
