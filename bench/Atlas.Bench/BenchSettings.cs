using System.Globalization;

namespace Atlas.Bench;

/// <summary>What the benchmark runs: job counts (warm-up, measured, latency), client concurrency and the workers' slots.</summary>
internal sealed record BenchSettings(int Jobs, int LatencyJobs, int Concurrency, int Workers, int Slots, int WarmupJobs)
{
    public static BenchSettings Parse(string[] args)
    {
        var s = new BenchSettings(Jobs: 1000, LatencyJobs: 200, Concurrency: 32, Workers: 2, Slots: 8, WarmupJobs: 1000);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            s = args[i] switch
            {
                "--jobs" => s with { Jobs = value },
                "--latency-jobs" => s with { LatencyJobs = value },
                "--concurrency" => s with { Concurrency = value },
                "--workers" => s with { Workers = value },
                "--slots" => s with { Slots = value },
                "--warmup" => s with { WarmupJobs = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}; see Program.cs for the options."),
            };
        }
        return s;
    }
}
