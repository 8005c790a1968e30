using System.Globalization;
using Atlas.Core.Jobs;

namespace Atlas.Core.Scheduling;

/// <summary>
/// Decides one placement pass from a <see cref="PlacementSnapshot"/>; pure, so it is tested and
/// benchmarked without Redis.
/// <list type="bullet">
/// <item><b>fair</b>: priority first; among equal priority the owner with the least standing (decayed
/// usage weighted by GPU-time, plus a charge per job on a node); within an owner, priority then
/// order. Each job goes to the node it fits best (least left over). A job that does not fit does
/// not hold back the ones behind it, but the first such job gets a reservation on the node where it
/// fits soonest (judged from the time limits of the jobs there); later jobs go on that node only
/// when their time limit ends before then or they use only what the reserved job leaves spare.</item>
/// <item><b>fifo</b>: priority then submit order, strictly: the first job that does not fit stops the pass.</item>
/// </list>
/// Per-user limits (running jobs, GPUs) and group limits apply to both.
/// </summary>
public static class PlacementPolicy
{
    public static PlacementPlan Plan(PlacementSnapshot snapshot, SchedulingOptions options)
    {
        var pass = new Pass(snapshot, options);
        return pass.Run();
    }

    /// <summary>A job's usage per second: 1 + its GPUs × the GPU weight.</summary>
    public static double Weight(int gpus, SchedulingOptions options) => 1 + gpus * options.GpuWeight;

    /// <summary>Usage decayed from the snapshot's last update to its time, plus what the jobs on nodes used meanwhile.</summary>
    public static Dictionary<string, double> DecayedUsage(PlacementSnapshot snapshot, SchedulingOptions options)
    {
        var elapsed = snapshot.UsageAtMs == 0 ? 0 : Math.Max(0, snapshot.NowMs - snapshot.UsageAtMs);
        var factor = Math.Pow(0.5, elapsed / 1000.0 / options.UsageHalfLifeSeconds);
        var usage = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (owner, value) in snapshot.Usage)
        {
            if (value * factor >= 0.001)
            {
                usage[owner] = value * factor;
            }
        }
        foreach (var job in snapshot.Running)
        {
            var ran = Math.Min(elapsed, Math.Max(0, snapshot.NowMs - job.SinceMs)) / 1000.0;
            if (ran > 0)
            {
                usage[job.Owner] = usage.GetValueOrDefault(job.Owner) + ran * Weight(job.GpuIds.Count, options);
            }
        }
        return usage;
    }

    private sealed class Pass
    {
        private readonly PlacementSnapshot _s;
        private readonly SchedulingOptions _o;
        private readonly Dictionary<string, double> _usage;
        private readonly SortedDictionary<string, NodeLoad> _nodes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (int Jobs, int Gpus)> _held = new(StringComparer.Ordinal);
        private readonly Dictionary<string, double> _standing = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _groupActive = new(StringComparer.Ordinal);
        private readonly List<PlacementDecision> _decisions = [];
        private readonly Dictionary<string, string> _reasons = new(StringComparer.Ordinal);
        private Reservation? _reservation;

        public Pass(PlacementSnapshot snapshot, SchedulingOptions options)
        {
            _s = snapshot;
            _o = options;
            _usage = DecayedUsage(snapshot, options);
            foreach (var node in snapshot.Nodes)
            {
                _nodes[node.Name] = new NodeLoad(node);
            }
            foreach (var (owner, value) in _usage)
            {
                _standing[owner] = value;
            }
            foreach (var job in snapshot.Running)
            {
                if (_nodes.TryGetValue(job.Node, out var load))
                {
                    load.Hold(job);
                }
                var held = _held.GetValueOrDefault(job.Owner);
                _held[job.Owner] = (held.Jobs + 1, held.Gpus + job.GpuIds.Count);
                _standing[job.Owner] = _standing.GetValueOrDefault(job.Owner) + Weight(job.GpuIds.Count, options) * options.RunningChargeSeconds;
            }
            foreach (var (group, load) in snapshot.Groups)
            {
                _groupActive[group] = load.Active;
            }
        }

        public PlacementPlan Run()
        {
            var queues = _s.Waiting
                .GroupBy(j => j.Owner, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => new Queue<WaitingJob>(g.OrderBy(j => -j.Priority).ThenBy(j => j.Order).ThenBy(j => j.Id, StringComparer.Ordinal)), StringComparer.Ordinal);
            if (_o.Policy == PlacementPolicyKind.Fifo)
            {
                RunFifo(queues, queues.ToDictionary(q => q.Key, q => q.Value.Count, StringComparer.Ordinal));
            }
            else
            {
                RunFair(queues);
            }
            return new PlacementPlan(_decisions, _reasons, _usage, _s.NowMs, _reservation);
        }

        private void RunFair(Dictionary<string, Queue<WaitingJob>> queues)
        {
            // The job reserved last pass goes first while nothing of higher priority waits, so
            // users who come first by fair share cannot take its node away pass after pass.
            var top = _s.Waiting.Count == 0 ? 0 : _s.Waiting.Max(j => j.Priority);
            var reserved = _s.Waiting.FirstOrDefault(j => j.Id == _s.ReservedJob);
            if (reserved is not null && reserved.Priority >= top)
            {
                Consider(reserved, mayReserve: true);
            }
            while (true)
            {
                string? owner = null;
                WaitingJob? head = null;
                foreach (var (name, queue) in queues)
                {
                    if (queue.Count == 0)
                    {
                        continue;
                    }
                    var candidate = queue.Peek();
                    if (head is null || candidate.Priority > head.Priority ||
                        (candidate.Priority == head.Priority && Standing(name).CompareTo(Standing(owner!)) is var c && (c < 0 || (c == 0 && string.CompareOrdinal(name, owner) < 0))))
                    {
                        owner = name;
                        head = candidate;
                    }
                }
                if (head is null)
                {
                    return;
                }
                queues[owner!].Dequeue();
                if (head.Id != reserved?.Id)
                {
                    Consider(head, mayReserve: true);
                }
            }
        }

        // read: how many of each owner's jobs the snapshot holds (its queue's head, not all of it).
        private void RunFifo(Dictionary<string, Queue<WaitingJob>> queues, Dictionary<string, int> read)
        {
            WaitingJob? blocker = null;
            while (true)
            {
                string? owner = null;
                WaitingJob? head = null;
                foreach (var (name, queue) in queues)
                {
                    if (queue.Count == 0)
                    {
                        continue;
                    }
                    var candidate = queue.Peek();
                    if (head is null || candidate.Priority > head.Priority ||
                        (candidate.Priority == head.Priority && (candidate.Order < head.Order || (candidate.Order == head.Order && string.CompareOrdinal(candidate.Id, head.Id) < 0))))
                    {
                        owner = name;
                        head = candidate;
                    }
                }
                if (head is null)
                {
                    return;
                }
                queues[owner!].Dequeue();
                if (blocker is not null)
                {
                    _reasons[head.Id] = $"behind job {blocker.Id}, which waits for resources (first in, first out)";
                }
                else if (LimitReason(head) is { } limit)
                {
                    _reasons[head.Id] = limit; // over a limit: it waits, and blocks no one behind it
                }
                else if (!Consider(head, mayReserve: false))
                {
                    blocker = head; // it waits for resources: nothing behind it may pass
                }
                if (queues[owner!].Count == 0 && _s.QueuedByOwner.GetValueOrDefault(owner!) > read[owner!])
                {
                    return; // this owner's next jobs were not read: the global order past here is not known
                }
            }
        }

        private double Standing(string owner) => _standing.GetValueOrDefault(owner);

        /// <summary>Places the job or records why it waits. Returns whether it was placed.</summary>
        private bool Consider(WaitingJob job, bool mayReserve)
        {
            if (LimitReason(job) is { } limit)
            {
                _reasons[job.Id] = limit;
                return false;
            }
            var fitting = _nodes.Values.Where(n => n.Fits(job)).ToList();
            var blockedBy = (string?)null;
            if (_reservation is { } r && r.JobId != job.Id && fitting.FirstOrDefault(n => n.Name == r.Node) is { } reservedNode && !MayBackfill(reservedNode, job))
            {
                fitting.Remove(reservedNode);
                blockedBy = $"fits on {r.Node}, but {r.Node} is reserved for job {r.JobId}" + (r.AtMs is { } at ? $" from {Time(at)}" : "");
            }
            if (fitting.Count == 0)
            {
                _reasons[job.Id] = blockedBy ?? NoFit(job);
                if (mayReserve && _reservation is null && blockedBy is null)
                {
                    Reserve(job);
                }
                return false;
            }
            var avoided = fitting.Where(n => job.FailedOn.Count(f => f == n.Name) >= 2).ToList();
            if (avoided.Count < fitting.Count)
            {
                fitting.RemoveAll(avoided.Contains);
            }
            var best = _o.Policy == PlacementPolicyKind.Fifo
                ? fitting.OrderByDescending(n => n.FreeSlots).ThenBy(n => n.Name, StringComparer.Ordinal).First()
                : fitting.OrderBy(n => n.Leftover(job)).ThenBy(n => n.Name, StringComparer.Ordinal).First();
            if (best.Reserved is { } spare && _reservation is { } held && held.JobId != job.Id && !EndsBefore(job, held))
            {
                best.Reserved = spare.Minus(job);
            }
            var gpus = best.Take(job, _s.NowMs);
            if (_reservation?.JobId == job.Id)
            {
                best.Reserved = null;
                _reservation = null;
            }
            _decisions.Add(new PlacementDecision(job.Id, best.Name, gpus));
            _reasons.Remove(job.Id);
            var held2 = _held.GetValueOrDefault(job.Owner);
            _held[job.Owner] = (held2.Jobs + 1, held2.Gpus + job.Gpus);
            _standing[job.Owner] = Standing(job.Owner) + Weight(job.Gpus, _o) * _o.RunningChargeSeconds;
            if (job.Group is { } group)
            {
                _groupActive[group] = _groupActive.GetValueOrDefault(group) + 1;
            }
            return true;
        }

        private string? LimitReason(WaitingJob job)
        {
            var held = _held.GetValueOrDefault(job.Owner);
            var maxJobs = _o.MaxRunningJobsFor(job.User);
            if (maxJobs > 0 && held.Jobs >= maxJobs)
            {
                return $"your limit of {Plural(maxJobs, "running job")}";
            }
            var maxGpus = _o.MaxGpusFor(job.User);
            if (maxGpus > 0 && job.Gpus > 0 && held.Gpus + job.Gpus > maxGpus)
            {
                return job.Gpus > maxGpus
                    ? $"needs {Plural(job.Gpus, "GPU")}, more than your limit of {Plural(maxGpus, "GPU")}"
                    : $"your limit of {Plural(maxGpus, "GPU")} ({held.Gpus} in use)";
            }
            if (job.Group is { } group && _s.Groups.TryGetValue(group, out var load) && load.MaxRunning > 0 &&
                _groupActive.GetValueOrDefault(group) >= load.MaxRunning)
            {
                return $"the group's limit of {load.MaxRunning} running";
            }
            return null;
        }

        private bool EndsBefore(WaitingJob job, Reservation reservation) =>
            reservation.AtMs is { } at && job.TimeLimitMs is { } limit && _s.NowMs + limit <= at;

        // On the reserved node a job may run if it is over before the reserved job can start,
        // or if it uses only what the reserved job will leave spare.
        private bool MayBackfill(NodeLoad node, WaitingJob job) =>
            EndsBefore(job, _reservation!) || (node.Reserved is { } spare && spare.Holds(job));

        private void Reserve(WaitingJob job)
        {
            NodeLoad? best = null;
            long? bestAt = null;
            NodeLoad.Spare bestSpare = default;
            foreach (var node in _nodes.Values)
            {
                if (node.FitTime(job, _s.NowMs, out var at, out var spare) &&
                    (best is null || (at ?? long.MaxValue) < (bestAt ?? long.MaxValue)))
                {
                    best = node;
                    bestAt = at;
                    bestSpare = spare;
                }
            }
            if (best is null)
            {
                return;
            }
            best.Reserved = bestSpare;
            _reservation = new Reservation(job.Id, best.Name, bestAt);
            _reasons[job.Id] += $"; {best.Name} is reserved for it" + (bestAt is { } t ? $", expected free by {Time(t)}" : " (the jobs there have no time limit)");
        }

        private string NoFit(WaitingJob job)
        {
            if (_nodes.Count == 0)
            {
                return _s.RegisteredNodes == 0 ? "no nodes" : "no ready nodes";
            }
            var nodes = _nodes.Values.ToList();
            if (!nodes.Any(n => n.CanEverFit(job)))
            {
                return $"needs {Describe(job)}; no ready node has that much";
            }
            if (job.Gpus > 0)
            {
                var most = nodes.OrderByDescending(n => n.FreeGpus.Count).ThenBy(n => n.Name, StringComparer.Ordinal).First();
                if (most.FreeGpus.Count < job.Gpus)
                {
                    return most.FreeGpus.Count == 0
                        ? $"needs {Plural(job.Gpus, "GPU")}; none is free"
                        : $"needs {Plural(job.Gpus, "GPU")}; the largest free is {most.FreeGpus.Count} on {most.Name}";
                }
            }
            if (job.CpuMillis > 0 && nodes.All(n => n.FreeCpu is not null))
            {
                var most = nodes.OrderByDescending(n => n.FreeCpu).ThenBy(n => n.Name, StringComparer.Ordinal).First();
                if (most.FreeCpu < job.CpuMillis)
                {
                    return $"needs {Cpus(job.CpuMillis)} CPUs; the most free is {Cpus(Math.Max(0, most.FreeCpu!.Value))} on {most.Name}";
                }
            }
            if (job.MemoryBytes > 0 && nodes.All(n => n.FreeMemory is not null))
            {
                var most = nodes.OrderByDescending(n => n.FreeMemory).ThenBy(n => n.Name, StringComparer.Ordinal).First();
                if (most.FreeMemory < job.MemoryBytes)
                {
                    return $"needs {Quantities.FormatBytes(job.MemoryBytes)} of memory; the most free is {Quantities.FormatBytes(Math.Max(0, most.FreeMemory!.Value))} on {most.Name}";
                }
            }
            if (nodes.All(n => n.FreeSlots <= 0))
            {
                return nodes.Count == 1 ? $"needs a free slot; {nodes[0].Name} is full" : $"needs a free slot; all {nodes.Count} ready nodes are full";
            }
            return $"needs {Describe(job)} on one node; no node has all of it free";
        }

        private static string Describe(WaitingJob job)
        {
            var parts = new List<string> { "a slot" };
            if (job.Gpus > 0)
            {
                parts.Add(Plural(job.Gpus, "GPU"));
            }
            if (job.CpuMillis > 0)
            {
                parts.Add($"{Cpus(job.CpuMillis)} CPUs");
            }
            if (job.MemoryBytes > 0)
            {
                parts.Add($"{Quantities.FormatBytes(job.MemoryBytes)} of memory");
            }
            return string.Join(", ", parts);
        }

        private static string Cpus(long millis) => (millis / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

        private static string Plural(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";

        private static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
    }
}
