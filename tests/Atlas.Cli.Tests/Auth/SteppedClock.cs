using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Atlas.Cli.Tests.Auth;

/// <summary>
/// <see cref="FakeTimeProvider"/> that also tells the test each time the code under test starts a
/// wait, so the test moves the clock only once that timer is armed, and by exactly its due time:
/// a polling loop runs without real waiting, and the test sees the intervals it asked for.
/// Time itself is FakeTimeProvider's; this only observes timer creation.
/// </summary>
internal sealed class SteppedClock : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _started = Channel.CreateUnbounded<TimeSpan>();

    /// <summary>The waits the code started, in order.</summary>
    public List<TimeSpan> Waits { get; } = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _started.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Advances the clock past each wait as it starts, until <paramref name="work"/> ends.</summary>
    public async Task<T> RunAsync<T>(Task<T> work, CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = _started.Reader.ReadAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(work, next) == work)
            {
                return await work;
            }
            var due = await next;
            Waits.Add(due);
            Advance(due);
        }
    }
}
