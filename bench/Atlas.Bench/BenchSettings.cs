using System.Globalization;

namespace Atlas.Bench;

/// <summary>
/// What the benchmark runs. The default scenario: job counts (warm-up, measured, latency), client
/// concurrency and the workers' slots. <c>--scenario load</c>: <see cref="Clients"/> clients
/// submitting and polling through the gateway for <see cref="Seconds"/> seconds. <c>--scenario docker</c>:
/// <see cref="LatencyJobs"/> bare Engine runs alternated with as many docker-runtime jobs, after
/// <see cref="WarmupJobs"/> of each. <c>--trace-ratio</c> sets the share of jobs traced.
/// </summary>
internal sealed record BenchSettings(int Jobs, int LatencyJobs, int Concurrency, int Workers, int Slots, int WarmupJobs)
{
    public string Scenario { get; init; } = "default";

    /// <summary><c>--scenario placement</c>: the seed of the generated queue.</summary>
    public int Seed { get; init; } = 12;

    public int Clients { get; init; } = 100;

    public int Seconds { get; init; } = 60;

    /// <summary>The share of jobs the services trace (<c>--trace-ratio</c>, Atlas:Telemetry:TraceRatio); 1, every job, by default.</summary>
    public string TraceRatio { get; init; } = "1";

    /// <summary><c>--scenario queue100k</c>: how many jobs wait in the queue.</summary>
    public int QueueJobs { get; init; } = 100_000;

    /// <summary><c>--scenario metrics</c>: how many jobs flood their metrics file at once, and how many points each writes.</summary>
    public int FloodJobs { get; init; } = 2;

    public int Points { get; init; } = 250_000;

    /// <summary><c>--scenario upload</c>: the project's file count and size (5,000 files, 100 MB); the rounds are <see cref="LatencyJobs"/>.</summary>
    public int UploadFiles { get; init; } = 5_000;

    public int UploadMegabytes { get; init; } = 100;

    public static BenchSettings Parse(string[] args)
    {
        var s = new BenchSettings(Jobs: 1000, LatencyJobs: 200, Concurrency: 32, Workers: 2, Slots: 8, WarmupJobs: 1000);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--scenario")
            {
                s = args[i + 1] is "default" or "load" or "docker" or "queue100k" or "metrics" or "start" or "placement" or "stopqueued" or "upload"
                    ? s with { Scenario = args[i + 1] }
                    : throw new ArgumentException($"--scenario must be default, load, docker, queue100k, metrics, start, placement, stopqueued or upload (got '{args[i + 1]}').");
                continue;
            }
            if (args[i] == "--trace-ratio")
            {
                s = s with { TraceRatio = args[i + 1] };
                continue;
            }
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            s = args[i] switch
            {
                "--jobs" => s with { Jobs = value },
                "--latency-jobs" => s with { LatencyJobs = value },
                "--concurrency" => s with { Concurrency = value },
                "--workers" => s with { Workers = value },
                "--slots" => s with { Slots = value },
                "--warmup" => s with { WarmupJobs = value },
                "--clients" => s with { Clients = value },
                "--seconds" => s with { Seconds = value },
                "--queue-jobs" => s with { QueueJobs = value },
                "--flood-jobs" => s with { FloodJobs = value },
                "--points" => s with { Points = value },
                "--seed" => s with { Seed = value },
                "--upload-files" => s with { UploadFiles = value },
                "--upload-mb" => s with { UploadMegabytes = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}; see Program.cs for the options."),
            };
        }
        return s;
    }
}
