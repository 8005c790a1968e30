using System.Globalization;
using Atlas.Core.Posix;

namespace Atlas.Worker.Resources;

/// <summary>
/// One job's cgroup (v2, or a pair of v1 folders in the memory and cpu hierarchies) with its
/// limits written. The job's process enters it before it execs the job (see
/// <see cref="ProcsFiles"/>), so everything the job starts is inside; when the job ends, what is
/// left in it is killed and the cgroup removed.
/// </summary>
public sealed class JobCgroup : IDisposable
{
    private const long CpuPeriodMicros = 100_000;
    private readonly string[] _dirs;
    private readonly string _memoryDir;
    private readonly int _version;

    private JobCgroup(int version, string memoryDir, string[] dirs)
    {
        _version = version;
        _memoryDir = memoryDir;
        _dirs = dirs;
    }

    /// <summary>The <c>cgroup.procs</c> files a process writes its pid to, to enter the job's cgroup.</summary>
    public IReadOnlyList<string> ProcsFiles => [.. _dirs.Select(d => Path.Combine(d, "cgroup.procs"))];


    internal static JobCgroup CreateV2(string dir, double? cpus, long? memoryBytes)
    {
        Fresh(dir);
        var cgroup = new JobCgroup(2, dir, [dir]);
        if (memoryBytes is { } memory)
        {
            File.WriteAllText(Path.Combine(dir, "memory.max"), memory.ToString(CultureInfo.InvariantCulture));
            TryWrite(Path.Combine(dir, "memory.swap.max"), "0"); // the limit is a limit, not a push into swap
        }
        if (cpus is { } c)
        {
            File.WriteAllText(Path.Combine(dir, "cpu.max"), $"{Quota(c)} {CpuPeriodMicros}");
        }
        return cgroup;
    }

    internal static JobCgroup CreateV1(string memoryDir, string cpuDir, double? cpus, long? memoryBytes)
    {
        Fresh(memoryDir);
        Fresh(cpuDir);
        var cgroup = new JobCgroup(1, memoryDir, [memoryDir, cpuDir]);
        if (memoryBytes is { } memory)
        {
            var text = memory.ToString(CultureInfo.InvariantCulture);
            File.WriteAllText(Path.Combine(memoryDir, "memory.limit_in_bytes"), text);
            TryWrite(Path.Combine(memoryDir, "memory.memsw.limit_in_bytes"), text); // memory + swap: no swap beyond the limit
        }
        if (cpus is { } c)
        {
            File.WriteAllText(Path.Combine(cpuDir, "cpu.cfs_period_us"), CpuPeriodMicros.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(cpuDir, "cpu.cfs_quota_us"), Quota(c).ToString(CultureInfo.InvariantCulture));
        }
        return cgroup;
    }

    /// <summary>True when the kernel killed a process of this job for going over its memory limit.</summary>
    public bool OutOfMemoryKilled()
    {
        // v2: memory.events; v1: memory.oom_control. Both carry "oom_kill N".
        var file = Path.Combine(_memoryDir, _version == 2 ? "memory.events" : "memory.oom_control");
        try
        {
            foreach (var line in File.ReadAllLines(file))
            {
                if (line.StartsWith("oom_kill ", StringComparison.Ordinal)
                    && long.TryParse(line["oom_kill ".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var kills))
                {
                    return kills > 0;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return false;
    }

    /// <summary>Kills what is left in the cgroup and removes it.</summary>
    public void Dispose()
    {
        for (var round = 0; round < 20; round++)
        {
            var left = _dirs.SelectMany(Pids).Distinct().ToList();
            foreach (var pid in left)
            {
                Signals.Kill(pid);
            }
            foreach (var dir in _dirs)
            {
                CgroupLimits.TryRemove(dir);
            }
            if (!_dirs.Any(Directory.Exists))
            {
                return;
            }
            Thread.Sleep(50); // killed processes take a moment to leave
        }
    }

    private static long Quota(double cpus) => Math.Max(1000, (long)Math.Round(cpus * CpuPeriodMicros));

    // One left by an earlier life of the worker is emptied and made again.
    private static void Fresh(string dir)
    {
        if (Directory.Exists(dir))
        {
            new JobCgroup(0, dir, [dir]).Dispose();
        }
        Directory.CreateDirectory(dir);
    }

    private static IEnumerable<int> Pids(string dir)
    {
        try
        {
            return [.. File.ReadAllLines(Path.Combine(dir, "cgroup.procs")).Select(l => int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0).Where(p => p > 0)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static void TryWrite(string file, string value)
    {
        try
        {
            if (File.Exists(file))
            {
                File.WriteAllText(file, value);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
