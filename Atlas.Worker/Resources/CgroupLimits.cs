using System.Globalization;
using Atlas.Core.Nodes;

namespace Atlas.Worker.Resources;

/// <summary>
/// How the process runtime puts a job's memory and CPU limits on it: each job process runs in
/// its own cgroup, made below the worker's own (a delegated cgroup: the worker must be able to
/// write there, as root in a container is). cgroup v2 when its <c>memory</c> and <c>cpu</c>
/// controllers are available there, else cgroup v1's <c>memory</c> and <c>cpu</c> hierarchies;
/// found by trying, once, at start. <see cref="Probe"/> says which, or why neither works.
/// </summary>
public sealed class CgroupLimits
{
    private CgroupLimits(int version, string? v2Parent, string? memoryParent, string? cpuParent, string note)
    {
        Version = version;
        V2Parent = v2Parent;
        MemoryParent = memoryParent;
        CpuParent = cpuParent;
        Note = note;
    }

    /// <summary>2 or 1; 0 when limits cannot be enforced here.</summary>
    public int Version { get; }

    /// <summary>The folder job cgroups are made in (v2).</summary>
    public string? V2Parent { get; }

    /// <summary>The folders job cgroups are made in (v1), in the memory and cpu hierarchies.</summary>
    public string? MemoryParent { get; }

    public string? CpuParent { get; }

    /// <summary>How limits are enforced, or why they are not, in words (shown by <c>atlas nodes</c>).</summary>
    public string Note { get; }

    public bool Enforced => Version != 0;

    /// <summary>The node's <c>limits</c> field.</summary>
    public string Limits => Enforced ? NodeLimits.Cgroup : NodeLimits.None;

    /// <summary>Limits off (<c>Atlas:Worker:Process:Cgroups=off</c>) or not on Linux.</summary>
    public static CgroupLimits None(string why) => new(0, null, null, null, why);

    /// <summary>Finds a cgroup the worker can make job cgroups in, trying v2 first, then v1.</summary>
    public static CgroupLimits Probe(CgroupHierarchy hierarchy, string? v2Root = null)
    {
        ArgumentNullException.ThrowIfNull(hierarchy);
        if (!OperatingSystem.IsLinux())
        {
            return None("not Linux: the process runtime has no cgroups here");
        }
        var why = new List<string>();
        var v2 = v2Root ?? hierarchy.V2;
        if (v2 is not null)
        {
            if (TryV2(v2, out var reason))
            {
                return new CgroupLimits(2, v2, null, null, $"cgroup v2 below {v2} (memory.max, cpu.max)");
            }
            why.Add($"cgroup v2 at {v2}: {reason}");
        }
        else
        {
            why.Add("no cgroup v2 mount");
        }
        if (hierarchy.V1.TryGetValue("memory", out var memory) && hierarchy.V1.TryGetValue("cpu", out var cpu))
        {
            if (TryV1(memory, cpu, out var reason))
            {
                return new CgroupLimits(1, null, memory, cpu, $"cgroup v1 below {memory} and {cpu} (memory.limit_in_bytes, cpu.cfs_quota_us)");
            }
            why.Add($"cgroup v1: {reason}");
        }
        else
        {
            why.Add("no cgroup v1 memory and cpu hierarchies");
        }
        return None($"job processes run without CPU or memory limits: {string.Join("; ", why)}");
    }

    /// <summary>Makes the cgroup of one job with its limits (null: none of that kind), or returns null when limits are off.</summary>
    public JobCgroup? Create(string jobId, double? cpus, long? memoryBytes)
    {
        if (!Enforced)
        {
            return null;
        }
        var name = $"atlas-{jobId}";
        return Version == 2
            ? JobCgroup.CreateV2(Path.Combine(V2Parent!, name), cpus, memoryBytes)
            : JobCgroup.CreateV1(Path.Combine(MemoryParent!, name), Path.Combine(CpuParent!, name), cpus, memoryBytes);
    }

    private static bool TryV2(string parent, out string reason)
    {
        var probe = Path.Combine(parent, $"atlas-probe-{Environment.ProcessId}");
        try
        {
            var available = File.ReadAllText(Path.Combine(parent, "cgroup.controllers")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (!available.Contains("memory") || !available.Contains("cpu"))
            {
                reason = $"the memory and cpu controllers are not delegated there (it has: {string.Join(' ', available)})";
                return false;
            }
            EnableControllers(parent);
            Directory.CreateDirectory(probe);
            File.WriteAllText(Path.Combine(probe, "memory.max"), "1073741824");
            File.WriteAllText(Path.Combine(probe, "cpu.max"), "100000 100000");
            reason = "";
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reason = e.Message;
            return false;
        }
        finally
        {
            TryRemove(probe);
        }
    }

    /// <summary>
    /// Turns on memory and cpu for the cgroups below <paramref name="parent"/>. cgroup v2 allows
    /// that only in a cgroup without processes of its own: when the worker itself is in it (the
    /// root of a container's cgroup namespace), the worker moves to a leaf <c>atlas-worker</c> first.
    /// </summary>
    private static void EnableControllers(string parent)
    {
        var control = Path.Combine(parent, "cgroup.subtree_control");
        if (File.ReadAllText(control).Contains("memory", StringComparison.Ordinal) && File.ReadAllText(control).Contains("cpu", StringComparison.Ordinal))
        {
            return;
        }
        try
        {
            File.WriteAllText(control, "+memory +cpu");
        }
        catch (IOException)
        {
            var leaf = Path.Combine(parent, "atlas-worker");
            Directory.CreateDirectory(leaf);
            File.WriteAllText(Path.Combine(leaf, "cgroup.procs"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(control, "+memory +cpu");
        }
    }

    private static bool TryV1(string memory, string cpu, out string reason)
    {
        var name = $"atlas-probe-{Environment.ProcessId}";
        var (m, c) = (Path.Combine(memory, name), Path.Combine(cpu, name));
        try
        {
            Directory.CreateDirectory(m);
            Directory.CreateDirectory(c);
            File.WriteAllText(Path.Combine(m, "memory.limit_in_bytes"), "1073741824");
            File.WriteAllText(Path.Combine(c, "cpu.cfs_quota_us"), "100000");
            reason = "";
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reason = e.Message;
            return false;
        }
        finally
        {
            TryRemove(m);
            TryRemove(c);
        }
    }

    internal static void TryRemove(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir); // rmdir: a cgroup's files go with it
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
