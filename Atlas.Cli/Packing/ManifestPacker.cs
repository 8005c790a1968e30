using System.Collections.Concurrent;
using Atlas.Core.Bundles;

namespace Atlas.Cli.Packing;

/// <summary>
/// Describes a project folder (what <see cref="ProjectWalker"/> sends) as a manifest: each file's
/// path, SHA-256, size and mode, hashed in parallel, with hashes of unchanged files taken from
/// the <see cref="HashCache"/>.
/// </summary>
public static class ManifestPacker
{
    private const int Executable = 0b111_101_101; // 0755
    private const int Plain = 0b110_100_100; // 0644

    public static async Task<ManifestPack> PackAsync(string projectDir, string home, TimeProvider time, CancellationToken cancellationToken)
    {
        var entries = ProjectWalker.Walk(projectDir, cancellationToken).ToList();
        var cache = HashCache.Load(home, projectDir);
        var now = time.GetUtcNow().UtcDateTime;
        var hashes = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(entries.Where(e => e.Kind == ProjectEntryKind.File),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (entry, ct) => hashes[entry.Name] = await cache.HashAsync(entry.Name, (FileInfo)entry.Info, now, ct));
        cache.Save();

        var manifest = new List<ManifestEntry>(entries.Count);
        var blobs = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
        long bytes = 0;
        foreach (var entry in entries)
        {
            switch (entry.Kind)
            {
                case ProjectEntryKind.Directory:
                    manifest.Add(new ManifestEntry(entry.Name, ManifestEntryType.Directory, Mode: Executable));
                    break;
                case ProjectEntryKind.Symlink:
                    manifest.Add(new ManifestEntry(entry.Name, ManifestEntryType.Symlink, Target: entry.Info.LinkTarget));
                    break;
                default:
                    var info = (FileInfo)entry.Info;
                    var sha256 = hashes[entry.Name];
                    manifest.Add(new ManifestEntry(entry.Name, ManifestEntryType.File, sha256, info.Length, entry.Executable ? Executable : Plain));
                    blobs.TryAdd(sha256, (info.FullName, info.Length));
                    bytes += info.Length;
                    break;
            }
        }
        return new ManifestPack(new BundleManifest { Entries = manifest }, blobs, hashes.Count, bytes);
    }
}
