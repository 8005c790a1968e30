using System.Formats.Tar;
using System.IO.Compression;

namespace Atlas.Core.Bundles;

/// <summary>
/// Checks and unpacks a project bundle (a gzip'd tar). A bundle is read through completely and
/// every entry checked before anything is written, so a refused bundle leaves nothing behind;
/// extraction is a second pass over the checked archive. The bundle is streamed, never held in
/// memory, and the size limits are enforced while it decompresses.
/// </summary>
public static class BundleReader
{
    /// <summary>Reads the whole bundle and checks every entry. Throws <see cref="BundleRejectedException"/>.</summary>
    public static Task<BundleSummary> ValidateAsync(string bundlePath, BundleLimits limits, CancellationToken cancellationToken) =>
        WalkAsync(bundlePath, limits, destination: null, cancellationToken);

    /// <summary>
    /// Checks the bundle (as <see cref="ValidateAsync"/>), then unpacks it into
    /// <paramref name="destination"/>, which must not exist yet or be empty.
    /// </summary>
    public static async Task<BundleSummary> ExtractAsync(string bundlePath, string destination, BundleLimits limits, CancellationToken cancellationToken)
    {
        var summary = await ValidateAsync(bundlePath, limits, cancellationToken);
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
        {
            throw new IOException($"The destination '{destination}' is not empty.");
        }
        Directory.CreateDirectory(destination);
        await WalkAsync(bundlePath, limits, Path.GetFullPath(destination), cancellationToken);
        return summary;
    }

    private static async Task<BundleSummary> WalkAsync(string bundlePath, BundleLimits limits, string? destination, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(bundlePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        if (file.Length > limits.MaxCompressedBytes)
        {
            throw new BundleRejectedException(null, $"the bundle is {file.Length} bytes, over the limit of {limits.MaxCompressedBytes}", tooLarge: true);
        }
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var counted = new ExpansionGuard(gzip, file.Length, limits);
        var rules = new BundleRules(limits);
        try
        {
            // No tar blocks at all (what a packer writes for an empty folder) is an empty
            // bundle. Looking first spares the tar reader's end-of-stream exception, which costs
            // more than the rest of a small submit.
            var start = new byte[512];
            var read = await counted.ReadAtLeastAsync(start, start.Length, throwOnEndOfStream: false, cancellationToken);
            if (read == 0)
            {
                return rules.Summary;
            }
            await using var tar = new TarReader(new PrefixedStream(start, read, counted));
            while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                var checkedEntry = rules.Check(entry);
                if (destination is not null && checkedEntry is not null)
                {
                    await BundleWriter.WriteAsync(destination, checkedEntry, entry, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException or ArgumentException)
        {
            throw new BundleRejectedException(null, $"not a gzip'd tar archive: {ex.Message}");
        }
        return rules.Summary;
    }
}
