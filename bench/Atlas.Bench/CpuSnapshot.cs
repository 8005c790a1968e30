using System.Globalization;

namespace Atlas.Bench;

/// <summary>
/// CPU time used so far by the bench and every process below it (the AppHost, Redis, masters,
/// workers, gateway), grouped by role, from <c>/proc/{pid}/stat</c>. Two snapshots around a batch
/// give CPU per job per process: a figure that, unlike wall time, holds while other programs share
/// the machine. The jobs' own processes count under "jobs" (the workers' reaped children).
/// </summary>
internal sealed record CpuSnapshot(IReadOnlyDictionary<string, TimeSpan> ByRole)
{
    /// <summary>The roles in the order they are printed.</summary>
    public static readonly string[] Roles = ["redis", "master", "worker", "jobs", "gateway", "apphost", "bench"];

    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux build .NET runs on

    public static CpuSnapshot Take()
    {
        var byRole = Roles.ToDictionary(r => r, _ => TimeSpan.Zero);
        if (!OperatingSystem.IsLinux())
        {
            return new CpuSnapshot(byRole);
        }
        var self = Environment.ProcessId;
        var stats = ReadAll();
        var parents = stats.ToDictionary(s => s.Key, s => s.Value.Parent);
        foreach (var (pid, stat) in stats)
        {
            if (pid != self && !Below(pid, self, parents))
            {
                continue;
            }
            var role = pid == self ? "bench" : RoleOf(pid);
            if (role is null)
            {
                continue;
            }
            byRole[role] += stat.Own;
            if (role == "worker")
            {
                byRole["jobs"] += stat.Children;
            }
        }
        return new CpuSnapshot(byRole);
    }

    /// <summary>CPU milliseconds per job for each role between <paramref name="before"/> and this snapshot.</summary>
    public IReadOnlyList<(string Role, double MsPerJob)> PerJobSince(CpuSnapshot before, int jobs) =>
        [.. Roles.Select(r => (r, (ByRole[r] - before.ByRole[r]).TotalMilliseconds / jobs))];

    /// <summary>The .NET processes among them (all but Redis): where the JIT runs.</summary>
    public static IReadOnlyList<int> DotnetProcesses()
    {
        var self = Environment.ProcessId;
        var parents = ReadAll().ToDictionary(s => s.Key, s => s.Value.Parent);
        return [.. parents.Keys.Where(pid => pid == self || (Below(pid, self, parents) && RoleOf(pid) is { } role && role != "redis"))];
    }

    private static bool Below(int pid, int ancestor, Dictionary<int, int> parents)
    {
        for (var depth = 0; depth < 16 && parents.TryGetValue(pid, out var parent); depth++)
        {
            if (parent == ancestor)
            {
                return true;
            }
            pid = parent;
        }
        return false;
    }

    private static string? RoleOf(int pid)
    {
        string cmdline;
        try
        {
            cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return null;
        }
        return cmdline switch
        {
            _ when cmdline.Contains("redis-server", StringComparison.Ordinal) => "redis",
            _ when cmdline.Contains("Atlas.Master.dll", StringComparison.Ordinal) => "master",
            _ when cmdline.Contains("Atlas.Worker.dll", StringComparison.Ordinal) => "worker",
            _ when cmdline.Contains("Atlas.Gateway.dll", StringComparison.Ordinal) => "gateway",
            _ when cmdline.Contains("Atlas.AppHost.dll", StringComparison.Ordinal) => "apphost",
            _ => null, // a job still running: counted by its worker once it is reaped
        };
    }

    private static Dictionary<int, (int Parent, TimeSpan Own, TimeSpan Children)> ReadAll()
    {
        var stats = new Dictionary<int, (int, TimeSpan, TimeSpan)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                ReadStat(Path.Combine(dir, "stat")) is { } stat)
            {
                stats[pid] = (stat.Parent, stat.Own, stat.Children);
            }
        }
        return stats;
    }

    /// <summary>Reads a process's or thread's <c>stat</c>: its name, parent and CPU time (own, and its reaped children's).</summary>
    public static (string Name, int Parent, TimeSpan Own, TimeSpan Children)? ReadStat(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null; // ended meanwhile
        }
        // The command name (field 2) is in parentheses and may hold spaces: fields are counted after it.
        var open = text.IndexOf('(', StringComparison.Ordinal);
        var close = text.LastIndexOf(')');
        var fields = text[(close + 2)..].Split(' ');
        long Field(int n) => long.Parse(fields[n - 3], CultureInfo.InvariantCulture);
        return (text[(open + 1)..close], (int)Field(4), Ticks(Field(14) + Field(15)), Ticks(Field(16) + Field(17)));
    }

    private static TimeSpan Ticks(long ticks) => TimeSpan.FromSeconds(ticks / TicksPerSecond);
}
