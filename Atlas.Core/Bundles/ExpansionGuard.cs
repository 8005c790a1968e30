namespace Atlas.Core.Bundles;

/// <summary>
/// Counts what comes out of the decompressor and stops the read as soon as the bundle unpacks
/// to more than allowed, or expands suspiciously (a gzip bomb), before the bytes go anywhere.
/// </summary>
internal sealed class ExpansionGuard(Stream inner, long compressedBytes, BundleLimits limits) : Stream
{
    private long _total;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _total; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        _total += read;
        // The tar framing counts too: it is what the decompressor produced.
        if (_total > limits.MaxUnpackedBytes + TarOverheadAllowance)
        {
            throw new BundleRejectedException(null, $"the bundle unpacks to more than the limit of {limits.MaxUnpackedBytes} bytes", tooLarge: true);
        }
        if (_total > limits.RatioFloorBytes && _total > limits.MaxExpansionRatio * Math.Max(1, compressedBytes))
        {
            throw new BundleRejectedException(null,
                $"the bundle expands more than {limits.MaxExpansionRatio:0}-fold (a gzip bomb?)", tooLarge: true);
        }
        return read;
    }

    // Headers and padding: up to 1.5 KiB per entry in the worst case, bounded by the entry limit.
    private long TarOverheadAllowance => 1536L * limits.MaxEntries + 10240;
}
