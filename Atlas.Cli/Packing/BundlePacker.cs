using System.Formats.Tar;
using System.IO.Compression;

namespace Atlas.Cli.Packing;

/// <summary>
/// Packs a project folder into a .tar.gz for upload: files (keeping the executable bit),
/// folders and symbolic links, with '/'-separated relative names. <c>.git</c> is always left
/// out, and so is whatever <c>.atlasignore</c> ignores; an ignored folder is not entered.
/// </summary>
public static class BundlePacker
{
    /// <summary>What went into the bundle.</summary>
    public sealed record PackResult(string Path, int Files, long Bytes);

    public static async Task<PackResult> PackAsync(string projectDir, string bundlePath, CancellationToken cancellationToken)
    {
        var root = new DirectoryInfo(projectDir);
        var rules = IgnoreRules.Load(root.FullName);
        var files = 0;
        long bytes = 0;
        await using (var file = new FileStream(bundlePath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false))
        {
            var pending = new Stack<(DirectoryInfo Dir, string Prefix)>();
            pending.Push((root, ""));
            while (pending.Count > 0)
            {
                var (dir, prefix) = pending.Pop();
                foreach (var entry in dir.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var name = prefix + entry.Name;
                    var isLink = entry.LinkTarget is not null;
                    var isDir = !isLink && entry is DirectoryInfo;
                    if ((isDir && entry.Name == ".git") || rules.IsIgnored(name, isDir))
                    {
                        continue;
                    }
                    if (isLink)
                    {
                        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = entry.LinkTarget! }, cancellationToken);
                    }
                    else if (isDir)
                    {
                        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, name + "/") { Mode = DirMode }, cancellationToken);
                        pending.Push(((DirectoryInfo)entry, name + "/"));
                    }
                    else if (entry is FileInfo info && (info.Attributes & (FileAttributes.Device | FileAttributes.ReparsePoint)) == 0 && IsRegular(info))
                    {
                        await using var data = info.OpenRead();
                        var executable = !OperatingSystem.IsWindows() && (info.UnixFileMode & UnixFileMode.UserExecute) != 0;
                        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name)
                        {
                            DataStream = data,
                            Mode = executable ? ExecutableMode : FileMode644,
                            ModificationTime = info.LastWriteTimeUtc,
                        }, cancellationToken);
                        files++;
                        bytes += info.Length;
                    }
                }
            }
        }
        return new PackResult(bundlePath, files, bytes);
    }

    // Sockets and FIFOs are not project files: left out.
    private static bool IsRegular(FileInfo info) =>
        OperatingSystem.IsWindows() || !File.GetAttributes(info.FullName).HasFlag(FileAttributes.Device);

    private const UnixFileMode FileMode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode ExecutableMode = FileMode644 | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private const UnixFileMode DirMode = ExecutableMode | UnixFileMode.UserWrite;
}
