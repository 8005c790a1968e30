namespace Atlas.Worker.Runtime;

/// <summary>Receives a running job's output, chunk by chunk, in the order it was read.</summary>
public interface IJobOutput
{
    ValueTask WriteAsync(OutputStream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}
