using System.Globalization;

namespace Atlas.Bench;

/// <summary>
/// The figures, printed as a table. <see cref="CpuMsPerJob"/> is the CPU each process used over
/// the timed batch (submits until the last job ended) divided by its jobs; <see cref="JitMsPerJob"/>
/// the part of it the .NET processes spent recompiling hot methods; <see cref="RawSpawnPerSecond"/>
/// the machine's limit (<see cref="RawSpawn"/>) measured in the same run.
/// </summary>
internal sealed record BenchResults(
    double SubmitPerSecond, double EndToEndPerSecond, int FailedJobs, double StartP50Ms, double StartP99Ms,
    IReadOnlyList<(string Role, double MsPerJob)> CpuMsPerJob, double JitMsPerJob, double RawSpawnPerSecond)
{
    public void Print(TextWriter output, BenchSettings s)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine($"Atlas bench: {s.Workers} workers x {s.Slots} slots, process runtime, no-op jobs (`true`), trace ratio {s.TraceRatio}, {Environment.ProcessorCount} cores");
        output.WriteLine();
        output.WriteLine("| measure                                  | value        |");
        output.WriteLine("|------------------------------------------|--------------|");
        output.WriteLine(string.Format(c, "| submit throughput ({0} jobs, {1} clients) | {2,8:F0} /s  |", s.Jobs, s.Concurrency, SubmitPerSecond));
        output.WriteLine(string.Format(c, "| end-to-end throughput ({0} jobs)        | {1,8:F0} /s  |", s.Jobs, EndToEndPerSecond));
        output.WriteLine(string.Format(c, "| raw spawn: Process.Start(true), {0} at once | {1,8:F0} /s  |", s.Workers * s.Slots, RawSpawnPerSecond));
        output.WriteLine(string.Format(c, "| end-to-end / raw spawn                   | {0,8:F2}     |", EndToEndPerSecond / RawSpawnPerSecond));
        output.WriteLine(string.Format(c, "| jobs not succeeded                       | {0,8}     |", FailedJobs));
        output.WriteLine(string.Format(c, "| submit-to-start p50 ({0} jobs, idle)     | {1,8:F1} ms |", s.LatencyJobs, StartP50Ms));
        output.WriteLine(string.Format(c, "| submit-to-start p99 ({0} jobs, idle)     | {1,8:F1} ms |", s.LatencyJobs, StartP99Ms));
        foreach (var (role, ms) in CpuMsPerJob)
        {
            output.WriteLine(string.Format(c, "| CPU per job: {0,-27} | {1,8:F2} ms |", role, ms));
        }
        output.WriteLine(string.Format(c, "| CPU per job: all processes               | {0,8:F2} ms |", CpuMsPerJob.Sum(r => r.MsPerJob)));
        output.WriteLine(string.Format(c, "| CPU per job: of which JIT (tiering)      | {0,8:F2} ms |", JitMsPerJob));
    }
}
