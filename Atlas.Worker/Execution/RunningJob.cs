using Atlas.Worker.Logs;

namespace Atlas.Worker.Execution;

/// <summary>A job this node has started: its token, its log and the handle to stop it.</summary>
internal sealed class RunningJob(string id, long fence, JobLogWriter log) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private int _reason;

    public string Id { get; } = id;

    public long Fence { get; } = fence;

    public JobLogWriter Log { get; } = log;

    public CancellationToken StopToken => _stop.Token;

    public StopReason StopReason => (StopReason)Volatile.Read(ref _reason);

    public Task Completion { get; set; } = Task.CompletedTask;

    /// <summary>The timer that stops the job at its time limit, once it has started; null without one.</summary>
    public ITimer? TimeLimit { get; set; }

    /// <summary>The write that records the start (starting to running), once the runtime reported it; awaited before the outcome is written.</summary>
    public Task? StartRecorded { get; set; }

    /// <summary>Asks the runtime to stop the job; the first reason given wins.</summary>
    public void Stop(StopReason reason)
    {
        if (reason == StopReason.Stale)
        {
            Log.Seal(); // a stale token writes nothing more, logs included
        }
        if (Interlocked.CompareExchange(ref _reason, (int)reason, (int)StopReason.None) == (int)StopReason.None)
        {
            _stop.Cancel();
        }
    }

    public void Dispose()
    {
        TimeLimit?.Dispose();
        _stop.Dispose();
    }
}
