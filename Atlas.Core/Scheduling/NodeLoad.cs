namespace Atlas.Core.Scheduling;

/// <summary>
/// One ready node during a pass: what is free now, what its jobs will free and when (their time
/// limits), and, while it is reserved, what the reserved job will leave spare once it starts.
/// </summary>
internal sealed class NodeLoad(PlacementNode node)
{
    private readonly List<Release> _releases = [];

    public PlacementNode Node { get; } = node;

    public string Name => Node.Name;

    public int FreeSlots { get; private set; } = node.Slots;

    public List<string> FreeGpus { get; } = [.. node.Gpus];

    public long? FreeCpu { get; private set; } = node.CpuMillis;

    public long? FreeMemory { get; private set; } = node.MemoryBytes;

    /// <summary>While this node is reserved: what stays free at the reservation's time once the reserved job is in.</summary>
    public Spare? Reserved { get; set; }

    /// <summary>Counts a job already on the node.</summary>
    public void Hold(RunningJob job)
    {
        FreeSlots--;
        foreach (var id in job.GpuIds)
        {
            FreeGpus.Remove(id);
        }
        FreeCpu -= job.CpuMillis;
        FreeMemory -= job.MemoryBytes;
        _releases.Add(new Release(job.ExpectedEndMs, job.GpuIds.Count, job.CpuMillis, job.MemoryBytes));
    }

    public bool Fits(WaitingJob job) =>
        FreeSlots >= 1 && FreeGpus.Count >= job.Gpus && (FreeCpu is null || FreeCpu >= job.CpuMillis) && (FreeMemory is null || FreeMemory >= job.MemoryBytes);

    /// <summary>Whether the job fits on the empty node.</summary>
    public bool CanEverFit(WaitingJob job) =>
        Node.Slots >= 1 && Node.Gpus.Count >= job.Gpus && (Node.CpuMillis is null || Node.CpuMillis >= job.CpuMillis) && (Node.MemoryBytes is null || Node.MemoryBytes >= job.MemoryBytes);

    /// <summary>Puts the job on the node; returns the GPU ids it gets (the first free ones, in the node's order).</summary>
    public IReadOnlyList<string> Take(WaitingJob job, long nowMs)
    {
        var ids = FreeGpus.Take(job.Gpus).ToList();
        FreeGpus.RemoveRange(0, job.Gpus);
        FreeSlots--;
        FreeCpu -= job.CpuMillis;
        FreeMemory -= job.MemoryBytes;
        _releases.Add(new Release(job.TimeLimitMs is { } limit ? nowMs + limit : null, job.Gpus, job.CpuMillis, job.MemoryBytes));
        return ids;
    }

    /// <summary>What the job would leave free here, smallest first: GPUs, then slots, then CPU and memory shares.</summary>
    public (int Gpus, int Slots, double Cpu, double Memory) Leftover(WaitingJob job) => (
        FreeGpus.Count - job.Gpus,
        FreeSlots - 1,
        FreeCpu is { } cpu && Node.CpuMillis is > 0 ? (cpu - job.CpuMillis) / (double)Node.CpuMillis.Value : 1,
        FreeMemory is { } memory && Node.MemoryBytes is > 0 ? (memory - job.MemoryBytes) / (double)Node.MemoryBytes.Value : 1);

    /// <summary>
    /// When the job would fit here if the jobs on the node end at their time limits: false when it
    /// never fits; <paramref name="atMs"/> null when it needs a job without a limit to end.
    /// <paramref name="spare"/> is what stays free at that time once the job is in.
    /// </summary>
    public bool FitTime(WaitingJob job, long nowMs, out long? atMs, out Spare spare)
    {
        atMs = null;
        spare = default;
        if (!CanEverFit(job))
        {
            return false;
        }
        var now = new Spare(FreeSlots, FreeGpus.Count, FreeCpu, FreeMemory);
        if (now.Holds(job))
        {
            atMs = nowMs;
            spare = now.Minus(job);
            return true;
        }
        var free = now;
        var found = false;
        foreach (var release in _releases.OrderBy(r => r.EndMs ?? long.MaxValue))
        {
            free = free.Plus(release);
            if (free.Holds(job))
            {
                found = true;
                atMs = release.EndMs;
                break;
            }
        }
        if (!found)
        {
            return false;
        }
        // Everything that ends by then is free by then too (all of it, when the time is not known).
        var at = atMs;
        free = _releases.Where(r => at is null || (r.EndMs is { } end && end <= at)).Aggregate(now, (s, r) => s.Plus(r));
        spare = free.Minus(job);
        return true;
    }

    /// <summary>A job on the node and when it ends at the latest (null: unknown).</summary>
    internal readonly record struct Release(long? EndMs, int Gpus, long Cpu, long Memory);

    /// <summary>Free resources at some time; null CPU or memory means unlimited.</summary>
    internal readonly record struct Spare(int Slots, int Gpus, long? Cpu, long? Memory)
    {
        public bool Holds(WaitingJob job) =>
            Slots >= 1 && Gpus >= job.Gpus && (Cpu is null || Cpu >= job.CpuMillis) && (Memory is null || Memory >= job.MemoryBytes);

        public Spare Plus(Release r) => new(Slots + 1, Gpus + r.Gpus, Cpu + r.Cpu, Memory + r.Memory);

        public Spare Minus(WaitingJob job) => new(Slots - 1, Gpus - job.Gpus, Cpu - job.CpuMillis, Memory - job.MemoryBytes);
    }
}
