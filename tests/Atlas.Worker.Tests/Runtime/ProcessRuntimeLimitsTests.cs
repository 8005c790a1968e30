using Atlas.Core.Jobs;
using Atlas.Testing;
using Atlas.Worker.Resources;
using Atlas.Worker.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atlas.Worker.Tests.Runtime;

/// <summary>
/// The process runtime gives a job only its GPUs (CUDA_VISIBLE_DEVICES) and, where the machine
/// allows it, its memory and CPU limits through a cgroup of its own: real processes, the
/// machine's real cgroups. Each cgroup test says which path it took.
/// </summary>
public sealed class ProcessRuntimeLimitsTests : IDisposable
{
    private readonly TempFolder _job = new("atlas-process-limits");
    private readonly RecordingOutput _output = new();
    private readonly string _jobId = JobId.New(DateTimeOffset.UtcNow);
    private readonly ProcessRuntime _runtime = new(
        Microsoft.Extensions.Options.Options.Create(new ProcessRuntimeOptions
        {
            StopGracePeriod = TimeSpan.FromSeconds(1),
            OutputDrainTimeout = TimeSpan.FromMilliseconds(200),
        }),
        TimeProvider.System,
        NullLogger<ProcessRuntime>.Instance);

    public ProcessRuntimeLimitsTests()
    {
        Directory.CreateDirectory(_job.Combine("work"));
        Directory.CreateDirectory(_job.Combine("artifacts"));
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _job.Dispose();

    [Fact]
    public async Task RunAsync_AssignedGpus_TheJobSeesExactlyThoseIds()
    {
        var exitCode = await _runtime.RunAsync(Launch(["/bin/sh", "-c", "echo \"$CUDA_VISIBLE_DEVICES|$NVIDIA_VISIBLE_DEVICES\""]) with { GpuIds = ["1", "3"] }, Token);

        exitCode.ShouldBe(0);
        _output.Text(OutputStream.Stdout).ShouldBe("1,3|1,3\n");
    }

    [Fact]
    public async Task RunAsync_NoGpu_CudaVisibleDevicesSetEmpty_EvenIfTheJobAskedForOne()
    {
        var launch = Launch(["/bin/sh", "-c", "echo \"${CUDA_VISIBLE_DEVICES+set}[$CUDA_VISIBLE_DEVICES]|$NVIDIA_VISIBLE_DEVICES\""],
            new Dictionary<string, string> { ["CUDA_VISIBLE_DEVICES"] = "0" });

        await _runtime.RunAsync(launch, Token);

        _output.Text(OutputStream.Stdout).ShouldBe("set[]|void\n");
    }

    [Fact]
    public async Task RunAsync_MemoryAndCpuLimits_TheJobRunsInItsCgroupWithThem()
    {
        var cgroups = RequireCgroups();
        // The job reads its own cgroup's limit files, found through /proc/self/cgroup.
        var script = cgroups.Version == 2
            ? "d=$(grep '^0::' /proc/self/cgroup | cut -d: -f3); cat /sys/fs/cgroup$d/memory.max /sys/fs/cgroup$d/cpu.max 2>/dev/null || cat /sys/fs/cgroup/unified$d/memory.max /sys/fs/cgroup/unified$d/cpu.max"
            : $"m=$(grep ':memory:' /proc/self/cgroup | cut -d: -f3); c=$(grep -E ':cpu(,|:)' /proc/self/cgroup | cut -d: -f3); cat {cgroups.MemoryParent}/atlas-{_jobId}/memory.limit_in_bytes {cgroups.CpuParent}/atlas-{_jobId}/cpu.cfs_quota_us; echo $m; echo $c";

        var exitCode = await _runtime.RunAsync(Launch(["/bin/sh", "-c", script]) with { MemoryBytes = 64L << 20, Cpus = 0.5 }, Token);

        exitCode.ShouldBe(0, _output.Text(OutputStream.Stderr));
        var lines = _output.Text(OutputStream.Stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe((64L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture));
        lines[1].ShouldBe(cgroups.Version == 2 ? "50000 100000" : "50000");
        if (cgroups.Version == 1)
        {
            lines[2].ShouldEndWith($"/atlas-{_jobId}"); // the job's memory cgroup is its own
            lines[3].ShouldEndWith($"/atlas-{_jobId}");
        }
        Directory.Exists(cgroups.Version == 2 ? Path.Combine(cgroups.V2Parent!, $"atlas-{_jobId}") : Path.Combine(cgroups.MemoryParent!, $"atlas-{_jobId}"))
            .ShouldBeFalse("the job's cgroup is removed after it ends");
    }

    [Fact]
    public async Task RunAsync_OverItsMemoryLimit_KilledAndReportedOutOfMemory()
    {
        RequireCgroups();
        var outOfMemory = false;

        var exitCode = await _runtime.RunAsync(
            Launch(["/bin/sh", "-c", "head -c 100m /dev/zero | tail"]) with { MemoryBytes = 16L << 20, OutOfMemory = () => outOfMemory = true }, Token);

        exitCode.ShouldBe(137); // SIGKILL
        outOfMemory.ShouldBeTrue();
    }

    [Fact]
    public async Task RunAsync_WithinItsMemoryLimit_NotReportedOutOfMemory()
    {
        RequireCgroups();
        var outOfMemory = false;

        var exitCode = await _runtime.RunAsync(
            Launch(["/bin/sh", "-c", "head -c 1m /dev/zero | tail | wc -c"]) with { MemoryBytes = 64L << 20, OutOfMemory = () => outOfMemory = true }, Token);

        exitCode.ShouldBe(0);
        outOfMemory.ShouldBeFalse();
    }

    [Fact]
    public async Task LimitsAsync_SaysHowOrWhyNot()
    {
        var (limits, note) = await _runtime.LimitsAsync(Token);

        TestContext.Current.TestOutputHelper?.WriteLine($"limits={limits}: {note}");
        limits.ShouldBe(_runtime.Cgroups.Enforced ? "cgroup" : "none");
        note.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task LimitsAsync_TurnedOff_NoneAndSaysSo()
    {
        var off = new ProcessRuntime(Microsoft.Extensions.Options.Options.Create(new ProcessRuntimeOptions { Cgroups = "off" }), TimeProvider.System, NullLogger<ProcessRuntime>.Instance);

        var (limits, note) = await off.LimitsAsync(Token);

        limits.ShouldBe("none");
        note.ShouldContain("Cgroups=off");
    }

    /// <summary>
    /// The runtime's cgroups, printing which path it took. A Linux machine where the worker runs as
    /// root and the cgroup memory and cpu controllers are mounted should allow one: there, not
    /// finding none fails under CI (and is skipped elsewhere with the reason).
    /// </summary>
    private CgroupLimits RequireCgroups()
    {
        var cgroups = _runtime.Cgroups;
        TestContext.Current.TestOutputHelper?.WriteLine($"cgroup path: v{cgroups.Version}: {cgroups.Note}");
        if (!cgroups.Enforced)
        {
            if (ShouldAllowCgroups(out var why))
            {
                throw TestEnvironment.Missing($"This machine should allow job cgroups ({why}), but the runtime found none ({cgroups.Note})");
            }
            // Not allowed here (not root, no controllers): skipped with the reason locally, failed under CI.
            throw TestEnvironment.Missing($"Job cgroups ({why}; the node reports limits=none: {cgroups.Note})");
        }
        return cgroups;
    }

    // Root on Linux with the memory and cpu controllers where the worker's cgroup is.
    private static bool ShouldAllowCgroups(out string why)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            why = $"not root on Linux (user {Environment.UserName})";
            return false;
        }
        var h = CgroupHierarchy.Read();
        var v2 = h.V2 is { } dir && File.Exists(Path.Combine(dir, "cgroup.controllers"))
            && File.ReadAllText(Path.Combine(dir, "cgroup.controllers")) is var c && c.Contains("memory", StringComparison.Ordinal) && c.Contains("cpu", StringComparison.Ordinal);
        var v1 = h.V1.ContainsKey("memory") && h.V1.ContainsKey("cpu");
        why = $"root; cgroup v2 memory+cpu: {v2}; cgroup v1 memory and cpu hierarchies: {v1}";
        return v2 || v1;
    }

    private JobLaunch Launch(IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null) =>
        new(_jobId, null, command, environment ?? new Dictionary<string, string> { ["ATLAS_JOB_ID"] = _jobId }, _job.Combine("work"), _job.Combine("artifacts"), _output);
}
