using Atlas.Testing;
using Atlas.Worker.Resources;

namespace Atlas.Worker.Tests.Resources;

/// <summary>CPU and memory from /proc and cgroup files, laid out as real trees in a temp folder.</summary>
public sealed class MachineCapacityTests : IDisposable
{
    private const string Meminfo = "MemTotal:       16318460 kB\nMemFree:         1234567 kB\n";
    private readonly TempFolder _root = new("atlas-cgroups");

    public void Dispose() => _root.Dispose();

    [Fact]
    public void NoCgroupLimit_TheMachines()
    {
        var cgroups = new CgroupHierarchy(null, new Dictionary<string, string>());

        MachineCapacity.CpuMillis(cgroups, processorCount: 8).ShouldBe(8000);
        MachineCapacity.MemoryBytes(cgroups, Meminfo).ShouldBe(16318460L * 1024);
    }

    [Fact]
    public void CgroupV2Limits_AtAnyLevelAbove_Lower()
    {
        var container = Cgroup("v2", "docker/abc");
        File.WriteAllText(Path.Combine(container, "cpu.max"), "150000 100000\n");
        File.WriteAllText(Path.Combine(container, "memory.max"), "max\n");
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(container)!, "memory.max"), $"{4L << 30}\n");
        var cgroups = new CgroupHierarchy(container, new Dictionary<string, string>());

        MachineCapacity.CpuMillis(cgroups, processorCount: 8).ShouldBe(1500);
        MachineCapacity.MemoryBytes(cgroups, Meminfo).ShouldBe(4L << 30);
    }

    [Fact]
    public void CgroupV1Limits_Lower_NoLimitReadsAsHuge()
    {
        var cpu = Cgroup("cpu", "job");
        File.WriteAllText(Path.Combine(cpu, "cpu.cfs_quota_us"), "200000\n");
        File.WriteAllText(Path.Combine(cpu, "cpu.cfs_period_us"), "100000\n");
        var memory = Cgroup("memory", "job");
        File.WriteAllText(Path.Combine(memory, "memory.limit_in_bytes"), "9223372036854771712\n");
        var cgroups = new CgroupHierarchy(null, new Dictionary<string, string> { ["cpu"] = cpu, ["memory"] = memory });

        MachineCapacity.CpuMillis(cgroups, processorCount: 8).ShouldBe(2000);
        MachineCapacity.MemoryBytes(cgroups, Meminfo).ShouldBe(16318460L * 1024);
    }

    [Fact]
    public void Hierarchy_FromMountinfoAndCgroup_HybridHost()
    {
        var mountinfo = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            35 31 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            40 31 0:36 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
        var cgroup = "4:memory:/process_api/5aa7\n1:cpu:/\n0::/\n";

        var h = CgroupHierarchy.Parse(mountinfo, cgroup);

        h.V2.ShouldBe("/sys/fs/cgroup/unified");
        h.V1["memory"].ShouldBe("/sys/fs/cgroup/memory/process_api/5aa7");
        h.V1["cpu"].ShouldBe("/sys/fs/cgroup/cpu");
    }

    [Fact]
    public void Hierarchy_ContainerNamespace_PathRelativeToTheMountsRoot()
    {
        var h = CgroupHierarchy.Parse(
            "1200 1100 0:30 /system.slice/worker.service /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw\n",
            "0::/system.slice/worker.service/jobs\n");

        h.V2.ShouldBe("/sys/fs/cgroup/jobs");
        h.V1.ShouldBeEmpty();
    }

    // A cgroup folder (it has cgroup.procs) and each folder above it up to the hierarchy's root.
    private string Cgroup(string hierarchy, string path)
    {
        var dir = _root.Combine(hierarchy);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "cgroup.procs"), "");
        foreach (var part in path.Split('/'))
        {
            dir = Path.Combine(dir, part);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "cgroup.procs"), "");
        }
        return dir;
    }
}
