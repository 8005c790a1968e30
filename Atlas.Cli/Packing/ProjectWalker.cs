namespace Atlas.Cli.Packing;

/// <summary>
/// What of a project folder goes to the cluster, in a stable order (by name, folders before
/// what they hold): files, folders and symbolic links. <c>.git</c> is always left out, and so is
/// whatever <c>.atlasignore</c> ignores; an ignored folder is not entered. Sockets, FIFOs and
/// devices are not project files: left out. Both the tarball and the manifest are built from it.
/// </summary>
public static class ProjectWalker
{
    public static IEnumerable<ProjectEntry> Walk(string projectDir, CancellationToken cancellationToken)
    {
        var root = new DirectoryInfo(projectDir);
        var rules = IgnoreRules.Load(root.FullName);
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
                    yield return new ProjectEntry(name, entry, ProjectEntryKind.Symlink);
                }
                else if (isDir)
                {
                    yield return new ProjectEntry(name, entry, ProjectEntryKind.Directory);
                    pending.Push(((DirectoryInfo)entry, name + "/"));
                }
                else if (entry is FileInfo info && (info.Attributes & (FileAttributes.Device | FileAttributes.ReparsePoint)) == 0 && IsRegular(info))
                {
                    yield return new ProjectEntry(name, entry, ProjectEntryKind.File);
                }
            }
        }
    }

    private static bool IsRegular(FileInfo info) =>
        OperatingSystem.IsWindows() || !File.GetAttributes(info.FullName).HasFlag(FileAttributes.Device);
}
