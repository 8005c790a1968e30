using System.Globalization;

namespace Atlas.Bench;

/// <summary>
/// CPU time used so far by the bench and the cluster's processes (Redis, masters, workers, gateway,
/// the AppHost, DCP and the Aspire dashboard), grouped by role, from <c>/proc/{pid}/stat</c>. DCP
/// starts the services and detaches from the AppHost, so the cluster is the bench's descendants
/// plus DCP's. Two snapshots around a batch give CPU per job per process: a figure that, unlike
/// wall time, holds while other programs share the machine. The jobs' own processes count under
/// "jobs" (the workers' reaped children).
/// </summary>
internal sealed record CpuSnapshot(IReadOnlyDictionary<string, TimeSpan> ByRole)
{
    /// <summary>The roles in the order they are printed.</summary>
    public static readonly string[] Roles = ["redis", "master", "worker", "jobs", "gateway", "apphost", "dcp", "dashboard", "bench"];

    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux build .NET runs on

    public static CpuSnapshot Take()
    {
        var byRole = Roles.ToDictionary(r => r, _ => TimeSpan.Zero);
        if (!OperatingSystem.IsLinux())
        {
            return new CpuSnapshot(byRole);
        }
        foreach (var (pid, role) in ClusterProcesses())
        {
            if (ReadStat($"/proc/{pid}/stat") is not { } stat)
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

    /// <summary>The .NET processes among them (all but Redis and DCP): where the JIT runs.</summary>
    public static IReadOnlyList<int> DotnetProcesses() =>
        [.. ClusterProcesses().Where(p => p.Role is not ("redis" or "dcp")).Select(p => p.Pid)];

    /// <summary>The resident memory of the cluster's processes of <paramref name="role"/>, in bytes (<c>VmRSS</c>).</summary>
    public static long ResidentBytes(string role)
    {
        long total = 0;
        foreach (var (pid, _) in ClusterProcesses().Where(p => p.Role == role))
        {
            try
            {
                var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                total += line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
            catch (IOException)
            {
                // ended meanwhile
            }
        }
        return total;
    }

    private static IEnumerable<(int Pid, string Role)> ClusterProcesses()
    {
        var self = Environment.ProcessId;
        var processes = new Dictionary<int, (int Parent, string CommandLine)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                ReadStat(Path.Combine(dir, "stat")) is { } stat)
            {
                try
                {
                    processes[pid] = (stat.Parent, File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' '));
                }
                catch (IOException)
                {
                    // ended meanwhile
                }
            }
        }
        // The cluster: the bench's descendants, and DCP's, which detaches from the AppHost and
        // names it with --monitor PID; then everything below those.
        var cluster = new HashSet<int> { self };
        bool grew;
        do
        {
            grew = false;
            foreach (var (pid, (parent, commandLine)) in processes)
            {
                if (!cluster.Contains(pid) && (cluster.Contains(parent) || cluster.Any(c => commandLine.Contains($"--monitor {c} ", StringComparison.Ordinal))))
                {
                    grew |= cluster.Add(pid);
                }
            }
        }
        while (grew);
        foreach (var pid in cluster)
        {
            if (pid == self)
            {
                yield return (pid, "bench");
            }
            else if (RoleOf(processes[pid].CommandLine) is { } role)
            {
                yield return (pid, role);
            }
        }
    }

    private static string? RoleOf(string commandLine) => commandLine switch
    {
        _ when commandLine.Contains("redis-server", StringComparison.Ordinal) => "redis",
        _ when commandLine.Contains("Atlas.Master", StringComparison.Ordinal) => "master",
        _ when commandLine.Contains("Atlas.Worker", StringComparison.Ordinal) => "worker",
        _ when commandLine.Contains("Atlas.Gateway", StringComparison.Ordinal) => "gateway",
        _ when commandLine.Contains("Atlas.AppHost", StringComparison.Ordinal) => "apphost",
        _ when commandLine.Contains("Aspire.Dashboard", StringComparison.Ordinal) => "dashboard",
        _ when commandLine.Contains("/dcp ", StringComparison.Ordinal) || commandLine.StartsWith("dcp ", StringComparison.Ordinal) => "dcp",
        _ => null, // a job still running: counted by its worker once it is reaped
    };

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
