using System.Globalization;

namespace Atlas.Worker.Resources;

/// <summary>
/// The CPU and memory this worker can give jobs: the machine's, lowered to the limits of the
/// cgroups the worker itself runs in (a container's <c>--cpus</c> and <c>--memory</c>, at any
/// level above it), cgroup v2 or v1.
/// </summary>
public static class MachineCapacity
{
    /// <summary>CPU in thousandths of a core.</summary>
    public static long CpuMillis(CgroupHierarchy cgroups, int processorCount)
    {
        ArgumentNullException.ThrowIfNull(cgroups);
        var cpu = processorCount * 1000L;
        foreach (var dir in Upwards(cgroups.V2))
        {
            // cpu.max: "max 100000" or "150000 100000" (quota and period in microseconds)
            var parts = Read(Path.Combine(dir, "cpu.max"))?.Split(' ');
            if (parts is { Length: 2 } && Long(parts[0]) is { } quota && Long(parts[1]) is { } period && period > 0)
            {
                cpu = Math.Min(cpu, quota * 1000 / period);
            }
        }
        foreach (var dir in Upwards(cgroups.V1.GetValueOrDefault("cpu")))
        {
            if (Long(Read(Path.Combine(dir, "cpu.cfs_quota_us"))) is { } quota && quota > 0 && Long(Read(Path.Combine(dir, "cpu.cfs_period_us"))) is { } period && period > 0)
            {
                cpu = Math.Min(cpu, quota * 1000 / period);
            }
        }
        return Math.Max(cpu, 1);
    }

    /// <summary>Memory in bytes; <paramref name="meminfo"/> is the text of <c>/proc/meminfo</c>.</summary>
    public static long MemoryBytes(CgroupHierarchy cgroups, string meminfo)
    {
        ArgumentNullException.ThrowIfNull(cgroups);
        ArgumentNullException.ThrowIfNull(meminfo);
        var memory = long.MaxValue;
        foreach (var line in meminfo.Split('\n'))
        {
            // MemTotal:       16318460 kB
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal)
                && Long(line["MemTotal:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim()) is { } kb)
            {
                memory = kb * 1024;
            }
        }
        foreach (var dir in Upwards(cgroups.V2))
        {
            if (Long(Read(Path.Combine(dir, "memory.max"))) is { } max)
            {
                memory = Math.Min(memory, max); // "max" is no limit
            }
        }
        foreach (var dir in Upwards(cgroups.V1.GetValueOrDefault("memory")))
        {
            if (Long(Read(Path.Combine(dir, "memory.limit_in_bytes"))) is { } limit)
            {
                memory = Math.Min(memory, limit); // no limit reads as a huge number
            }
        }
        return memory == long.MaxValue ? 0 : memory;
    }

    /// <summary>This machine's, read now.</summary>
    public static (long CpuMillis, long MemoryBytes) Read()
    {
        var cgroups = CgroupHierarchy.Read();
        return (CpuMillis(cgroups, Environment.ProcessorCount), MemoryBytes(cgroups, Read("/proc/meminfo") ?? ""));
    }

    // The folder and each one above it, up to the hierarchy's mount (the first folder without cgroup.procs).
    private static IEnumerable<string> Upwards(string? dir)
    {
        while (dir is not null && File.Exists(Path.Combine(dir, "cgroup.procs")))
        {
            yield return dir;
            dir = Path.GetDirectoryName(dir);
        }
    }

    private static long? Long(string? text) =>
        long.TryParse(text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static string? Read(string file)
    {
        try
        {
            return File.ReadAllText(file).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
