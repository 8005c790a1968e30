using System.Globalization;
using System.Text.Json;
using Atlas.Core.Scheduling;
using StackExchange.Redis;

namespace Atlas.Core.Storage;

/// <summary>
/// The master's side of placement: reads a <see cref="PlacementSnapshot"/> in four pipelined
/// round trips (never the whole queue: the head of each owner's queue), and applies a
/// <see cref="PlacementPlan"/> in one script fenced by the leader's epoch, which checks every
/// decision again. Also what a submit is checked against: the largest node of each resource.
/// </summary>
public sealed class PlacementStore(IConnectionMultiplexer redis)
{
    private static readonly RedisValue Prefix = RedisKeys.Prefix;

    private static readonly RedisValue[] WaitingFields =
        ["state", "owner", "user", "priority", "order", "submitted", "gpus", "cpuMillis", "memoryBytes", "timeLimitMs", "group", "failedOn"];

    private static readonly RedisValue[] RunningFields =
        ["state", "owner", "gpuIds", "cpuMillis", "memoryBytes", "timeLimitMs", "assigned", "started"];

    private IDatabase Db => redis.GetDatabase();

    /// <summary>
    /// Makes sure every queued job is in its owner's queue too (jobs queued by a version of Atlas
    /// before per-owner queues would otherwise never be placed), in chunks so Redis is never held
    /// long. Returns how many were repaired; the leader runs it once when it takes the lead.
    /// </summary>
    public async Task<long> RepairOwnerQueuesAsync(CancellationToken cancellationToken)
    {
        const int Chunk = 2000;
        long repaired = 0;
        for (long start = 0; ; start += Chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = (RedisResult[])(await Db.ScriptEvaluateAsync(JobScripts.RepairOwnerQueues, values: [Prefix, start, Chunk]))!;
            repaired += (long)result[1];
            if ((long)result[0] < Chunk)
            {
                return repaired;
            }
        }
    }

    /// <summary>Reads what one pass decides from: ready nodes, up to <paramref name="headsPerOwner"/> jobs of each owner's queue, every job on a node, usage and groups.</summary>
    public async Task<PlacementSnapshot> ReadSnapshotAsync(int headsPerOwner, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = Db;

        // 1: the clock, the node names, the owners with waiting jobs, usage, the reservation.
        var batch = db.CreateBatch();
        var timeTask = batch.ExecuteAsync("TIME");
        var namesTask = batch.SetMembersAsync(RedisKeys.Nodes);
        var ownersTask = batch.SetMembersAsync(RedisKeys.QueueOwners);
        var usageTask = batch.HashGetAllAsync(RedisKeys.Usage);
        var reservedTask = batch.StringGetAsync(RedisKeys.Reserved);
        batch.Execute();
        var time = (RedisResult[])(await timeTask)!;
        var now = (long)time[0] * 1000 + (long)time[1] / 1000;
        var names = (await namesTask).Select(n => (string)n!).Order(StringComparer.Ordinal).ToList();
        var owners = (await ownersTask).Select(o => (string)o!).Order(StringComparer.Ordinal).ToList();

        // 2: each node's registration, whether it is alive, and its jobs; each owner's head and queue length.
        batch = db.CreateBatch();
        var nodeReads = names.Select(n => (
            Name: n,
            Fields: batch.HashGetAsync(RedisKeys.Node(n), ["state", "slots", "gpus", "cpuMillis", "memoryBytes"]),
            Alive: batch.KeyExistsAsync(RedisKeys.NodeAlive(n)),
            Jobs: batch.SetMembersAsync(RedisKeys.NodeJobs(n)))).ToList();
        var ownerReads = owners.Select(o => (
            Owner: o,
            Head: batch.SortedSetRangeByRankAsync(RedisKeys.OwnerQueue(o), 0, headsPerOwner - 1),
            Count: batch.SortedSetLengthAsync(RedisKeys.OwnerQueue(o)))).ToList();
        batch.Execute();
        var nodes = new List<PlacementNode>();
        var onNodes = new List<(string Id, string Node)>();
        foreach (var read in nodeReads)
        {
            var f = await read.Fields;
            foreach (var id in await read.Jobs)
            {
                onNodes.Add(((string)id!, read.Name));
            }
            if ((string?)f[0] == "ready" && await read.Alive)
            {
                nodes.Add(new PlacementNode(read.Name, (int)(Long(f[1]) ?? 0), Ids(f[2]), Long(f[3]), Long(f[4])));
            }
        }
        var queued = new Dictionary<string, long>(StringComparer.Ordinal);
        var waitingIds = new List<string>();
        foreach (var read in ownerReads)
        {
            queued[read.Owner] = await read.Count;
            waitingIds.AddRange((await read.Head).Select(id => (string)id!));
        }

        // 3: the jobs themselves.
        batch = db.CreateBatch();
        var waitingReads = waitingIds.Select(id => (Id: id, Fields: batch.HashGetAsync(RedisKeys.Job(id), WaitingFields))).ToList();
        var runningReads = onNodes.Select(j => (j.Id, j.Node, Fields: batch.HashGetAsync(RedisKeys.Job(j.Id), RunningFields))).ToList();
        batch.Execute();
        var waiting = new List<WaitingJob>();
        foreach (var read in waitingReads)
        {
            var f = await read.Fields;
            if ((string?)f[0] != "queued")
            {
                continue;
            }
            waiting.Add(new WaitingJob(
                read.Id, (string?)f[1] ?? "-", (string?)f[2] ?? (string?)f[1] ?? "-", (int)(Long(f[3]) ?? 0), Long(f[4]) ?? Long(f[5]) ?? 0,
                (int)(Long(f[6]) ?? 0), Long(f[7]) ?? 0, Long(f[8]) ?? 0, Long(f[9]), f[10].IsNullOrEmpty ? null : (string)f[10]!,
                ((string?)f[11] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }
        var running = new List<RunningJob>();
        foreach (var read in runningReads)
        {
            var f = await read.Fields;
            if (f[0].IsNull)
            {
                continue;
            }
            var since = Long(f[6]) ?? now;
            var limit = Long(f[5]);
            running.Add(new RunningJob(read.Id, read.Node, (string?)f[1] ?? "-", Ids(f[2]), Long(f[3]) ?? 0, Long(f[4]) ?? 0, since,
                limit is { } l ? (Long(f[7]) ?? since) + l : null));
        }

        // 4: the groups the waiting jobs belong to.
        var groupIds = waiting.Select(j => j.Group).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var groups = new Dictionary<string, GroupLoad>(StringComparer.Ordinal);
        if (groupIds.Count > 0)
        {
            batch = db.CreateBatch();
            var groupReads = groupIds.Select(g => (Id: g, Max: batch.HashGetAsync(RedisKeys.Group(g), "maxRunning"), Active: batch.SetLengthAsync(RedisKeys.GroupActive(g)))).ToList();
            batch.Execute();
            foreach (var read in groupReads)
            {
                groups[read.Id] = new GroupLoad((int)(Long(await read.Max) ?? 0), (int)await read.Active);
            }
        }

        var usage = new Dictionary<string, double>(StringComparer.Ordinal);
        long usageAt = 0;
        foreach (var entry in await usageTask)
        {
            if (entry.Name == "@at")
            {
                usageAt = Long(entry.Value) ?? 0;
            }
            else if (double.TryParse((string?)entry.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                usage[entry.Name!] = value;
            }
        }
        var reserved = await reservedTask;
        return new PlacementSnapshot
        {
            NowMs = now,
            Nodes = nodes,
            RegisteredNodes = names.Count,
            Waiting = waiting,
            QueuedByOwner = queued,
            Running = running,
            Usage = usage,
            UsageAtMs = usageAt,
            Groups = groups,
            ReservedJob = reserved.IsNullOrEmpty ? null : (string)reserved!,
        };
    }

    /// <summary>Applies a pass: places what still holds, refuses the rest, and writes usage, reasons and the reservation.</summary>
    /// <exception cref="NotLeaderException"><paramref name="epoch"/> is not the current leader's.</exception>
    public async Task<PlacementResult> ApplyAsync(PlacementPlan plan, TimeSpan lease, TimeSpan reasonsTtl, long epoch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var payload = JsonSerializer.Serialize(new
        {
            decisions = plan.Decisions.Select(d => new { id = d.JobId, node = d.Node, gpus = d.GpuIds }),
            reasons = plan.Reasons,
            usage = plan.Usage,
            usageAt = plan.UsageAtMs,
            reserved = plan.Reservation?.JobId ?? "",
            reasonsTtl = (long)Math.Max(1, reasonsTtl.TotalMilliseconds),
        });
        RedisResult[] result;
        try
        {
            result = (RedisResult[])(await Db.ScriptEvaluateAsync(JobScripts.ApplyPlacement, values: [Prefix, (long)lease.TotalMilliseconds, epoch, payload]))!;
        }
        catch (RedisServerException ex) when (ex.Message.Contains("NOTLEADER", StringComparison.Ordinal))
        {
            throw new NotLeaderException();
        }
        var flat = (RedisResult[])result[0]!;
        var placed = new List<PlacedJob>(flat.Length / 5);
        for (var i = 0; i + 4 < flat.Length; i += 5)
        {
            var trace = (string?)flat[i + 4];
            placed.Add(new PlacedJob((string)flat[i]!, (string)flat[i + 1]!, (long)flat[i + 2], (int)flat[i + 3], string.IsNullOrEmpty(trace) ? null : trace));
        }
        var refused = ((RedisResult[])result[1]!).Select(r => (string)r!).ToList();
        return new PlacementResult(placed, refused);
    }

    /// <summary>Every registered node's capacity (ready or not), to refuse at submit a job no node could ever run.</summary>
    public async Task<IReadOnlyList<PlacementNode>> NodeCapacitiesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = Db;
        var names = (await db.SetMembersAsync(RedisKeys.Nodes)).Select(n => (string)n!).Order(StringComparer.Ordinal).ToList();
        var batch = db.CreateBatch();
        var reads = names.Select(n => (Name: n, Fields: batch.HashGetAsync(RedisKeys.Node(n), ["slots", "gpus", "cpuMillis", "memoryBytes"]))).ToList();
        batch.Execute();
        var nodes = new List<PlacementNode>(names.Count);
        foreach (var read in reads)
        {
            var f = await read.Fields;
            nodes.Add(new PlacementNode(read.Name, (int)(Long(f[0]) ?? 0), Ids(f[1]), Long(f[2]), Long(f[3])));
        }
        return nodes;
    }

    /// <summary>How many jobs of <paramref name="owner"/> are on nodes and the GPUs they hold (reads every node's jobs: bounded by the cluster's slots).</summary>
    public async Task<(int Jobs, int Gpus)> HeldByAsync(string owner, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = Db;
        var names = await db.SetMembersAsync(RedisKeys.Nodes);
        var batch = db.CreateBatch();
        var sets = names.Select(n => batch.SetMembersAsync(RedisKeys.NodeJobs(n!))).ToList();
        batch.Execute();
        var ids = (await Task.WhenAll(sets)).SelectMany(s => s).ToList();
        batch = db.CreateBatch();
        var reads = ids.Select(id => batch.HashGetAsync(RedisKeys.Job(id!), ["owner", "gpuIds"])).ToList();
        batch.Execute();
        var (jobs, gpus) = (0, 0);
        foreach (var read in reads)
        {
            var f = await read;
            if ((string?)f[0] == owner)
            {
                jobs++;
                gpus += Ids(f[1]).Count;
            }
        }
        return (jobs, gpus);
    }

    private static long? Long(RedisValue value) =>
        !value.IsNullOrEmpty && long.TryParse((string?)value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static IReadOnlyList<string> Ids(RedisValue value) =>
        ((string?)value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
