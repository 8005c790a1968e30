using System.Formats.Tar;
using System.IO.Compression;

namespace Atlas.Cli.Packing;

/// <summary>
/// Packs a project folder into a .tar.gz for upload: files (keeping the executable bit),
/// folders and symbolic links, with '/'-separated relative names; what goes in is
/// <see cref="ProjectWalker"/>'s choice. The cluster also takes a manifest of uploaded blobs
/// (<see cref="ManifestPacker"/>), which the CLI prefers; the tarball is for clusters without the blob API.
/// </summary>
public static class BundlePacker
{
    /// <summary>What went into the bundle.</summary>
    public sealed record PackResult(string Path, int Files, long Bytes);

    public static async Task<PackResult> PackAsync(string projectDir, string bundlePath, CancellationToken cancellationToken)
    {
        var files = 0;
        long bytes = 0;
        await using (var file = new FileStream(bundlePath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false))
        {
            foreach (var entry in ProjectWalker.Walk(projectDir, cancellationToken))
            {
                switch (entry.Kind)
                {
                    case ProjectEntryKind.Symlink:
                        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, entry.Name) { LinkName = entry.Info.LinkTarget! }, cancellationToken);
                        break;
                    case ProjectEntryKind.Directory:
                        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, entry.Name + "/") { Mode = DirMode }, cancellationToken);
                        break;
                    default:
                        var info = (FileInfo)entry.Info;
                        await using (var data = info.OpenRead())
                        {
                            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, entry.Name)
                            {
                                DataStream = data,
                                Mode = entry.Executable ? ExecutableMode : FileMode644,
                                ModificationTime = info.LastWriteTimeUtc,
                            }, cancellationToken);
                        }
                        files++;
                        bytes += info.Length;
                        break;
                }
            }
        }
        return new PackResult(bundlePath, files, bytes);
    }

    private const UnixFileMode FileMode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode ExecutableMode = FileMode644 | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private const UnixFileMode DirMode = ExecutableMode | UnixFileMode.UserWrite;
}
