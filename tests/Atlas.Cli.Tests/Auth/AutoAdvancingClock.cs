namespace Atlas.Cli.Tests.Auth;

/// <summary>
/// A clock whose timers fire at once and move it forward by their due time, recording each wait:
/// a polling loop runs without waiting, and the test sees the intervals it asked for.
/// </summary>
internal sealed class AutoAdvancingClock : TimeProvider
{
    private readonly object _gate = new();
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public List<TimeSpan> Waits { get; } = [];

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            Waits.Add(dueTime);
            _now += dueTime;
        }
        _ = Task.Run(async () =>
        {
            await Task.Yield(); // after the caller has kept the timer it was given
            callback(state);
        });
        return new FiredTimer();
    }

    private sealed class FiredTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
