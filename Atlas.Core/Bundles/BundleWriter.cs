using System.Formats.Tar;

namespace Atlas.Core.Bundles;

/// <summary>
/// Writes one checked entry under the destination. Paths are safe by then (no '..', nothing
/// through a link), so joining them to the destination stays inside it. Modes are normalized:
/// 0755 for folders and executables, 0644 for other files; setuid, setgid and sticky bits are dropped.
/// </summary>
internal static class BundleWriter
{
    internal const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    internal const UnixFileMode Plain = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static async Task WriteAsync(string destination, CheckedEntry entry, TarEntry source, CancellationToken cancellationToken)
    {
        var full = Path.Combine(destination, entry.Path);
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        switch (entry.Kind)
        {
            case EntryKind.Directory:
                Directory.CreateDirectory(full);
                SetMode(full, Executable);
                break;
            case EntryKind.File:
                await using (var file = new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    if (source.DataStream is { } data)
                    {
                        await data.CopyToAsync(file, cancellationToken);
                    }
                }
                SetMode(full, entry.Executable ? Executable : Plain);
                File.SetLastWriteTimeUtc(full, source.ModificationTime.UtcDateTime);
                break;
            case EntryKind.Symlink:
                File.CreateSymbolicLink(full, entry.LinkTarget!);
                break;
            case EntryKind.HardLink:
                // .NET has no hard-link call; a copy reads the same for the job.
                File.Copy(Path.Combine(destination, entry.LinkTarget!), full, overwrite: true);
                break;
        }
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}
