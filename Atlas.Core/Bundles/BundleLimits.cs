namespace Atlas.Core.Bundles;

/// <summary>How large and how deep a bundle may be. Every limit is checked before anything is written.</summary>
public sealed record BundleLimits
{
    /// <summary>The defaults: 1 GiB compressed and unpacked, 100 000 entries.</summary>
    public static BundleLimits Default { get; } = new();

    /// <summary>The largest .tar.gz accepted.</summary>
    public long MaxCompressedBytes { get; init; } = 1L << 30;

    /// <summary>The most bytes the files may hold once unpacked.</summary>
    public long MaxUnpackedBytes { get; init; } = 1L << 30;

    /// <summary>The most entries (files, folders, links).</summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>The most path segments in one entry's name.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>The longest entry name, in characters.</summary>
    public int MaxPathLength { get; init; } = 1024;

    /// <summary>
    /// The most the archive may expand (unpacked / compressed bytes), against gzip bombs. Only
    /// checked once more than <see cref="RatioFloorBytes"/> have been unpacked, so small
    /// bundles of very repetitive text pass.
    /// </summary>
    public double MaxExpansionRatio { get; init; } = 200;

    /// <summary>Below this many unpacked bytes the expansion ratio is not checked.</summary>
    public long RatioFloorBytes { get; init; } = 16L << 20;
}
