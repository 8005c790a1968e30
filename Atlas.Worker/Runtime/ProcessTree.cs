using System.Globalization;

namespace Atlas.Worker.Runtime;

/// <summary>
/// The descendants of a process at one moment, read from <c>/proc</c> (Linux). Taken before a
/// job's main process ends, it still finds the children that are orphaned afterwards, which
/// no longer show as its descendants; the start time guards against a recycled pid.
/// </summary>
internal sealed class ProcessTree
{
    private readonly IReadOnlyList<(int Pid, long StartTime)> _descendants;

    private ProcessTree(IReadOnlyList<(int Pid, long StartTime)> descendants) => _descendants = descendants;

    public IEnumerable<int> Pids => _descendants.Select(d => d.Pid);

    /// <summary>The processes below <paramref name="rootPid"/> now; empty where there is no <c>/proc</c>.</summary>
    public static ProcessTree Below(int rootPid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new ProcessTree([]);
        }
        var all = new List<(int Pid, int Parent, long StartTime)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } entry)
            {
                all.Add((pid, entry.Parent, entry.StartTime));
            }
        }
        var children = all.ToLookup(p => p.Parent);
        var found = new List<(int, long)>();
        var pending = new Stack<int>([rootPid]);
        while (pending.TryPop(out var parent))
        {
            foreach (var child in children[parent])
            {
                found.Add((child.Pid, child.StartTime));
                pending.Push(child.Pid);
            }
        }
        return new ProcessTree(found);
    }

    /// <summary>The descendants still alive (same pid, same start time).</summary>
    public IEnumerable<int> Survivors() =>
        _descendants.Where(d => Read(d.Pid)?.StartTime == d.StartTime).Select(d => d.Pid);

    private static (int Parent, long StartTime)? Read(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null; // it ended meanwhile
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        // "pid (comm) state ppid … starttime …": comm may hold spaces and parentheses, so the
        // fields are counted from the last ')'. ppid is field 4, starttime field 22.
        var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 20
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            || !long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime))
        {
            return null;
        }
        return (parent, startTime);
    }
}
