using System.Threading.Channels;

namespace Atlas.Core.Events;

/// <summary>
/// Wakes a loop that reacts to events (a pub/sub message) rather than polling: any number of
/// <see cref="Set"/> calls while the loop is busy coalesce into one pending wake-up, and a
/// timeout bounds the wait so an event lost while Redis was unreachable is noticed anyway.
/// </summary>
public sealed class WakeSignal(TimeProvider time)
{
    private readonly Channel<bool> _pending = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Wakes the waiting loop, or the next wait when none waits now.</summary>
    public void Set() => _pending.Writer.TryWrite(true);

    /// <summary>Returns when <see cref="Set"/> was called (since the last wait) or after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _pending.Reader.WaitToReadAsync(bounded.Token);
            _pending.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The timeout: the caller looks once more.
        }
    }
}
