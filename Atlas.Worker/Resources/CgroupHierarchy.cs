namespace Atlas.Worker.Resources;

/// <summary>
/// Where this process's cgroups are: the cgroup v2 folder it belongs to, and for cgroup v1 the
/// folder in each controller's hierarchy (<c>memory</c>, <c>cpu</c>), read from
/// <c>/proc/self/mountinfo</c> and <c>/proc/self/cgroup</c>. A hybrid host has both.
/// </summary>
/// <param name="V2">This process's cgroup v2 folder; null without a cgroup2 mount.</param>
/// <param name="V1">This process's folder in each cgroup v1 controller's hierarchy, by controller.</param>
public sealed record CgroupHierarchy(string? V2, IReadOnlyDictionary<string, string> V1)
{
    /// <summary>Read for this process; <paramref name="procSelf"/> is <c>/proc/self</c> (another folder in tests).</summary>
    public static CgroupHierarchy Read(string procSelf = "/proc/self")
    {
        var mountinfo = TryRead(Path.Combine(procSelf, "mountinfo"));
        var cgroup = TryRead(Path.Combine(procSelf, "cgroup"));
        return Parse(mountinfo ?? "", cgroup ?? "");
    }

    /// <summary>From the text of <c>mountinfo</c> and <c>cgroup</c>.</summary>
    public static CgroupHierarchy Parse(string mountinfo, string cgroup)
    {
        // hierarchy-id:controllers:path; v2 is 0::path.
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        string? ownV2 = null;
        foreach (var line in cgroup.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }
            if (parts[0] == "0" && parts[1].Length == 0)
            {
                ownV2 = parts[2];
                continue;
            }
            foreach (var controller in parts[1].Split(','))
            {
                own[controller] = parts[2];
            }
        }

        string? v2 = null;
        var v1 = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // id parent major:minor root mount-point options [optional...] - fstype source super-options
            var dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0)
            {
                continue;
            }
            var fields = line[..dash].Split(' ');
            var after = line[(dash + 3)..].Split(' ');
            if (fields.Length < 5 || after.Length < 3)
            {
                continue;
            }
            var (root, mountPoint, fsType) = (fields[3], Unescape(fields[4]), after[0]);
            if (fsType == "cgroup2" && ownV2 is not null && v2 is null)
            {
                v2 = Join(mountPoint, Relative(ownV2, root));
            }
            else if (fsType == "cgroup")
            {
                foreach (var controller in after[2].Split(','))
                {
                    if (own.TryGetValue(controller, out var path) && !v1.ContainsKey(controller))
                    {
                        v1[controller] = Join(mountPoint, Relative(path, root));
                    }
                }
            }
        }
        return new CgroupHierarchy(v2, v1);
    }

    // A mount of a cgroup below the root (a container's namespace) shows paths relative to it.
    private static string Relative(string path, string root) =>
        root != "/" && path.StartsWith(root, StringComparison.Ordinal) ? path[root.Length..] : path;

    private static string Join(string mountPoint, string path) =>
        Path.TrimEndingDirectorySeparator(mountPoint + (path == "/" ? "" : path));

    // mountinfo escapes spaces and the like as \040.
    private static string Unescape(string field) => field.Replace("\\040", " ", StringComparison.Ordinal);

    private static string? TryRead(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
