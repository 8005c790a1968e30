namespace Atlas.Testing;

/// <summary>
/// Finds processes still alive that belong to a cluster under test: their command line or their
/// environment names one of the cluster's markers (its data folder; jobs carry it in
/// ATLAS_OUTPUT_DIR). Reads <c>/proc</c>, so it sees processes whatever started them.
/// </summary>
public static class LeftoverProcesses
{
    /// <summary>"pid: command line" of every other process whose command line or environment contains a marker.</summary>
    public static IReadOnlyList<string> Find(params string[] markers)
    {
        ArgumentNullException.ThrowIfNull(markers);
        var left = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var environ = File.ReadAllText(Path.Combine(dir, "environ"));
                if (markers.Any(m => cmdline.Contains(m, StringComparison.Ordinal) || environ.Contains(m, StringComparison.Ordinal)))
                {
                    left.Add($"{pid}: {cmdline}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // gone meanwhile, or not ours to read
            }
        }
        return left;
    }
}
