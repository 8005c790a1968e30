using System.Globalization;
using Atlas.Core.Jobs;
using Atlas.Core.Scheduling;

namespace Atlas.Master.Submission;

/// <summary>
/// What a submit asks of the cluster: the cluster's default CPU and memory filled in, and a
/// refusal when no registered node could ever run the job (with no node registered at all, the
/// job is accepted and waits for one).
/// </summary>
public static class ResourceCheck
{
    /// <summary>The spec with the cluster's default CPU and memory where it asks for none.</summary>
    public static JobSpec WithDefaults(JobSpec spec, SchedulingOptions options)
    {
        var memory = Quantities.ParseBytes(options.DefaultMemory);
        if (options.DefaultCpus is null && memory is null)
        {
            return spec;
        }
        var resources = spec.Resources ?? new JobResources();
        return spec with
        {
            Resources = resources with
            {
                Cpus = resources.Cpus ?? options.DefaultCpus,
                MemoryBytes = resources.MemoryBytes ?? memory,
            },
        };
    }

    /// <summary>The field and the words of the refusal, or null when some node is large enough (or none is registered).</summary>
    public static (string Field, string Detail)? Refusal(JobResources? resources, IReadOnlyList<PlacementNode> nodes)
    {
        if (resources is null || nodes.Count == 0)
        {
            return null;
        }
        if (resources.Gpus > 0)
        {
            var largest = nodes.OrderByDescending(n => n.Gpus.Count).ThenBy(n => n.Name, StringComparer.Ordinal).First();
            if (largest.Gpus.Count < resources.Gpus)
            {
                return ("resources.gpus", $"The job asks for {resources.Gpus} GPUs; the largest node, {largest.Name}, has {largest.Gpus.Count}.");
            }
        }
        if (resources.Cpus is { } cpus && nodes.All(n => n.CpuMillis is not null))
        {
            var largest = nodes.OrderByDescending(n => n.CpuMillis).ThenBy(n => n.Name, StringComparer.Ordinal).First();
            if (largest.CpuMillis < (long)Math.Ceiling(cpus * 1000))
            {
                return ("resources.cpus", string.Create(CultureInfo.InvariantCulture,
                    $"The job asks for {cpus:0.###} CPUs; the largest node, {largest.Name}, has {largest.CpuMillis!.Value / 1000.0:0.###}."));
            }
        }
        if (resources.MemoryBytes is { } memory && nodes.All(n => n.MemoryBytes is not null))
        {
            var largest = nodes.OrderByDescending(n => n.MemoryBytes).ThenBy(n => n.Name, StringComparer.Ordinal).First();
            if (largest.MemoryBytes < memory)
            {
                return ("resources.memoryBytes",
                    $"The job asks for {Quantities.FormatBytes(memory)} of memory; the largest node, {largest.Name}, has {Quantities.FormatBytes(largest.MemoryBytes!.Value)}.");
            }
        }
        return null;
    }
}
