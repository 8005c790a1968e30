namespace Atlas.Worker.Runtime;

/// <summary>Receives a running job's output, chunk by chunk, in the order it was read.</summary>
public interface IJobOutput
{
    /// <summary>
    /// Takes one chunk. Chunks of one stream arrive in order and one at a time; stdout and stderr
    /// may be written concurrently (the process runtime reads them in parallel). The runtime reuses
    /// <paramref name="data"/> once the call completes: copy what you keep.
    /// </summary>
    ValueTask WriteAsync(OutputStream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}
