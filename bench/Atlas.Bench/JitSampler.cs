namespace Atlas.Bench;

/// <summary>
/// CPU time of the threads that recompile hot methods (tiered compilation) in the cluster's .NET
/// processes and the bench, over the timed batch: it shows whether the warm-up was long enough.
/// Those threads come and go, and a thread's time is gone from <c>/proc</c> once it ends, so they
/// are sampled every 100 ms and each thread counts from its first sample (or from zero when it
/// began during the batch) to its last.
/// </summary>
internal sealed class JitSampler : IAsyncDisposable
{
    private const string ThreadName = ".NET Tiered Com";
    private readonly Dictionary<(int Pid, int Tid), (TimeSpan First, TimeSpan Last)> _threads = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly IReadOnlyList<int> _processes = CpuSnapshot.DotnetProcesses(); // the cluster's services do not change during a batch
    private readonly Task _loop;

    private JitSampler()
    {
        Sample(startOfBatch: true);
        _loop = Task.Run(LoopAsync);
    }

    public static JitSampler Start() => new();

    /// <summary>Stops sampling and returns the JIT's CPU time over the batch.</summary>
    public async Task<TimeSpan> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Sample(startOfBatch: false);
        return _threads.Values.Aggregate(TimeSpan.Zero, (sum, t) => sum + (t.Last - t.First));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Sample(startOfBatch: false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Sample(bool startOfBatch)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        foreach (var pid in _processes)
        {
            IEnumerable<string> tasks;
            try
            {
                tasks = Directory.GetDirectories($"/proc/{pid}/task");
            }
            catch (IOException)
            {
                continue;
            }
            foreach (var task in tasks)
            {
                if (CpuSnapshot.ReadStat(Path.Combine(task, "stat")) is not { Name: ThreadName } stat ||
                    !int.TryParse(Path.GetFileName(task), out var tid))
                {
                    continue;
                }
                _threads[(pid, tid)] = _threads.TryGetValue((pid, tid), out var seen)
                    ? (seen.First, stat.Own)
                    : (startOfBatch ? stat.Own : TimeSpan.Zero, stat.Own);
            }
        }
    }
}
