using System.Globalization;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using Atlas.Worker.Options;
using Atlas.Worker.Runtime;
using Microsoft.Extensions.Options;

namespace Atlas.Worker.Resources;

/// <summary>
/// What the node advertises when it registers: its GPUs (declared or found by nvidia-smi), its
/// CPU and memory (<c>Atlas:Worker:Cpus</c>/<c>Memory</c> when set, else read from the machine
/// and the worker's own cgroup), and how its runtime enforces a job's CPU and memory limits.
/// </summary>
internal sealed class NodeResourceDetector(GpuDetector gpus, IJobRuntime runtime, IOptions<WorkerOptions> options)
{
    public async Task<NodeResources> DetectAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var found = await gpus.DetectAsync(cancellationToken);
        var (cpuMillis, memoryBytes) = MachineCapacity.Read();
        if (o.Cpus is { } cpus)
        {
            cpuMillis = (long)Math.Round(double.Parse(cpus, NumberStyles.Float, CultureInfo.InvariantCulture) * 1000);
        }
        if (o.Memory is { } memory)
        {
            memoryBytes = Quantities.ParseBytes(memory)!.Value;
        }
        var (limits, note) = await runtime.LimitsAsync(cancellationToken);
        return new NodeResources { Gpus = found, CpuMillis = cpuMillis, MemoryBytes = memoryBytes, Limits = limits, LimitsNote = note };
    }
}
