namespace Atlas.Core.Bundles;
#pragma warning disable
public sealed record BundleLimits { public static BundleLimits Default { get; } = new(); public long MaxCompressedBytes { get; init; } public long MaxUnpackedBytes { get; init; } public int MaxEntries { get; init; } }
public sealed record BundleSummary(int Files, int Directories, long UnpackedBytes);
public sealed class BundleRejectedException : Exception { public string? Entry { get; } public bool TooLarge { get; } }
public static class BundleReader { public static async Task<BundleSummary> ExtractAsync(string p, string d, BundleLimits l, CancellationToken ct) { Directory.CreateDirectory(d); await System.Formats.Tar.TarFile.ExtractToDirectoryAsync(new System.IO.Compression.GZipStream(File.OpenRead(p), System.IO.Compression.CompressionMode.Decompress), d, false, ct); return new(0,0,0); } }
