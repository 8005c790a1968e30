namespace Atlas.Gateway.Routing;

/// <summary>Wraps a request body and remembers whether anything was read from it, so a failed send can be retried when nothing was.</summary>
internal sealed class ReadTrackingStream(Stream inner) : Stream
{
    public bool AnyRead { get; private set; }

    public Stream Inner => inner;

    /// <summary>Forgets earlier reads, after the inner stream was rewound.</summary>
    public void Reset() => AnyRead = false;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        AnyRead = true;
        return inner.Read(buffer, offset, count);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        AnyRead = true;
        return inner.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
