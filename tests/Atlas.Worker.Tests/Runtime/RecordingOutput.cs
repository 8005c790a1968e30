using System.Text;
using Atlas.Worker.Runtime;

namespace Atlas.Worker.Tests.Runtime;

/// <summary>An <see cref="IJobOutput"/> that keeps every chunk, for tests to read back.</summary>
internal sealed class RecordingOutput : IJobOutput
{
    private readonly Lock _lock = new();
    private readonly List<(OutputStream Stream, byte[] Data)> _chunks = [];

    public ValueTask WriteAsync(OutputStream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        // The runtime reuses its buffer after the call, so the bytes are copied.
        lock (_lock)
        {
            _chunks.Add((stream, data.ToArray()));
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Everything written to <paramref name="stream"/> so far, as UTF-8 text.</summary>
    public string Text(OutputStream stream)
    {
        lock (_lock)
        {
            return Encoding.UTF8.GetString(_chunks.Where(c => c.Stream == stream).SelectMany(c => c.Data).ToArray());
        }
    }

    /// <summary>Waits until <paramref name="stream"/> contains <paramref name="text"/>; fails after a generous minute.</summary>
    public async Task WaitForAsync(OutputStream stream, string text, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        while (!Text(stream).Contains(text, StringComparison.Ordinal))
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
