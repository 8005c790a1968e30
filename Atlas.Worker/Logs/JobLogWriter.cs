using Atlas.Core.SharedVolume;
using Atlas.Worker.Runtime;

namespace Atlas.Worker.Logs;

/// <summary>
/// Writes a running job's output to the shared volume as it arrives — <c>stdout.log</c>,
/// <c>stderr.log</c> and both interleaved in <c>output.log</c> — and wakes whoever follows it.
/// Each file is created on its first write (<see cref="LazyLogFile"/>).
/// </summary>
public sealed class JobLogWriter : IJobOutput, IAsyncDisposable
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(250);
    private readonly LazyLogFile _output;
    private readonly LazyLogFile _stdout;
    private readonly LazyLogFile _stderr;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TaskCompletionSource<bool> _next = NewSignal();
    private volatile bool _sealed;

    public JobLogWriter(JobPaths paths, string jobId)
    {
        _output = new LazyLogFile(paths.OutputLog(jobId));
        _stdout = new LazyLogFile(paths.StdoutLog(jobId));
        _stderr = new LazyLogFile(paths.StderrLog(jobId));
    }

    public async ValueTask WriteAsync(OutputStream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_sealed)
            {
                return; // the attempt lost its job: its output must not mix into the next attempt's
            }
            var own = stream == OutputStream.Stderr ? _stderr : _stdout;
            await own.WriteAsync(data, cancellationToken);
            await _output.WriteAsync(data, cancellationToken);
            await own.FlushAsync(cancellationToken);
            await _output.FlushAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
        Interlocked.Exchange(ref _next, NewSignal()).TrySetResult(true);
    }

    /// <summary>
    /// Waits for the next write; false once the job has ended (<see cref="Complete"/>). A write
    /// that lands between a follower's read and its wait would be missed until the next one, so
    /// the wait also ends after <see cref="MaxWait"/>, and the follower reads again.
    /// </summary>
    public async Task<bool> WaitForMoreAsync(CancellationToken cancellationToken)
    {
        var next = Volatile.Read(ref _next).Task;
        try
        {
            return await next.WaitAsync(MaxWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    /// <summary>
    /// Drops whatever is written from now on: called when this node learns its fencing token is
    /// stale, so the output of an attempt that lost its job (it runs on until it is stopped) is
    /// not appended to the logs the attempt that now owns the job writes on the shared volume.
    /// </summary>
    public void Seal() => _sealed = true;

    /// <summary>Tells every follower that no more output will come.</summary>
    public void Complete()
    {
        var last = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        last.SetResult(false);
        Interlocked.Exchange(ref _next, last).TrySetResult(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            // Flushed to the OS, not fsynced: readers on the shared volume see the data once it
            // is closed (close-to-open), and a node crash loses the job's lease and reruns it anyway.
            foreach (var file in new[] { _output, _stdout, _stderr })
            {
                await file.DisposeAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
        _gate.Dispose();
    }

    private static TaskCompletionSource<bool> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
