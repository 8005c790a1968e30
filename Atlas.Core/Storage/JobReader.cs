using System.Text.Json;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using StackExchange.Redis;

namespace Atlas.Core.Storage;

/// <summary>
/// What the APIs read: jobs, the queue, nodes, and the job-to-node lookup the gateway routes by.
/// It changes nothing; every service that answers calls registers it.
/// </summary>
public sealed class JobReader(IConnectionMultiplexer redis)
{
    private static readonly RedisValue Prefix = RedisKeys.Prefix;

    // The queue view shows the caller's first waiting jobs, not a backlog of 100,000.
    private const int MaxQueuePositions = 1000;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>The address of the node holding the job, while it is on one; the gateway's lookup.</summary>
    public async Task<string?> RouteAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await Db.StringGetAsync(RedisKeys.Route(id));
    }

    /// <summary>The job's current state, or null when there is no such job.</summary>
    public async Task<JobState?> StateAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var value = await Db.HashGetAsync(RedisKeys.Job(id), "state");
        return value.IsNull ? null : JobRecords.ParseState(value!);
    }

    /// <summary>The job's state and owner, or null when there is no such job: what an access check reads.</summary>
    public async Task<JobAccess?> AccessAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var values = await Db.HashGetAsync(RedisKeys.Job(id), ["state", "owner"]);
        return values[0].IsNull ? null : new JobAccess(JobRecords.ParseState(values[0]!), values[1].IsNull ? null : (string)values[1]!);
    }

    /// <summary>The job, or null; without <paramref name="withHistory"/> its history is left empty (one read less).</summary>
    public async Task<JobRecord?> GetAsync(string id, CancellationToken cancellationToken, bool withHistory = true)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = Db;
        var fieldsTask = db.HashGetAllAsync(RedisKeys.Job(id));
        var historyTask = withHistory ? db.ListRangeAsync(RedisKeys.History(id)) : Task.FromResult(Array.Empty<RedisValue>());
        await Task.WhenAll(fieldsTask, historyTask);
        var fields = await fieldsTask;
        if (fields.Length == 0)
        {
            return null;
        }
        var record = JobRecords.FromHash(fields, await historyTask);
        return record.View.State == JobState.Queued
            ? record with { View = record.View with { WaitReason = await WaitReasonAsync(id, fields, cancellationToken) } }
            : record;
    }

    /// <summary>
    /// Why a queued job waits: its dependencies (<c>waitingFor</c>), else what the last placement
    /// pass said of it, else (a job the pass did not look at) how many jobs of higher priority are ahead.
    /// </summary>
    private async Task<string?> WaitReasonAsync(string id, HashEntry[] fields, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var waitingFor = fields.FirstOrDefault(f => f.Name == "waitingFor").Value;
        if (!waitingFor.IsNullOrEmpty)
        {
            var ids = ((string)waitingFor!).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return ids.Length == 1 ? $"waiting for job {ids[0]} to succeed" : $"waiting for jobs {string.Join(", ", ids)} to succeed";
        }
        var stored = await Db.HashGetAsync(RedisKeys.WaitReasons, id);
        return stored.IsNull ? (await PlaceReasonsAsync([id]))[0] : (string)stored!;
    }

    /// <summary>For jobs the last pass did not look at: how many jobs of higher priority are ahead (two pipelined round trips for all of them).</summary>
    private async Task<string?[]> PlaceReasonsAsync(IReadOnlyList<string> ids)
    {
        var db = Db;
        var batch = db.CreateBatch();
        var scores = ids.Select(id => batch.SortedSetScoreAsync(RedisKeys.Queue, id)).ToList();
        var ranks = ids.Select(id => batch.SortedSetRankAsync(RedisKeys.Queue, id)).ToList();
        batch.Execute();
        batch = db.CreateBatch();
        var higher = new List<Task<long>?>();
        foreach (var score in scores)
        {
            // The priority's band: every job scored below it has a higher priority.
            higher.Add(await score is { } s ? batch.SortedSetLengthAsync(RedisKeys.Queue, double.NegativeInfinity, Math.Floor(s / 1e13) * 1e13, Exclude.Stop) : null);
        }
        batch.Execute();
        var reasons = new string?[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            if (higher[i] is not { } count)
            {
                continue;
            }
            var above = await count;
            var ahead = await ranks[i] ?? 0;
            reasons[i] = above switch
            {
                1 => "behind 1 job of higher priority",
                > 1 => $"behind {above} jobs of higher priority",
                _ => ahead == 0 ? "next in line" : $"behind {ahead} earlier jobs of the same priority",
            };
        }
        return reasons;
    }

    /// <summary>
    /// Jobs newest first, filtered by project and state, at most <paramref name="limit"/>. With
    /// <paramref name="owner"/>, only that owner's jobs, read from their own index (not a scan of every job).
    /// </summary>
    public async Task<IReadOnlyList<JobView>> ListAsync(string? owner, string? project, JobState? state, int limit, CancellationToken cancellationToken)
    {
        var db = Db;
        var index = owner is null ? RedisKeys.Jobs : RedisKeys.OwnerJobs(owner);
        var views = new List<JobView>();
        // Unfiltered, the first page is the answer: read no more records than asked for.
        var page = project is null && state is null ? Math.Clamp(limit, 1, 500) : 500;
        for (long start = 0; views.Count < limit; start += page)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ids = await db.SortedSetRangeByRankAsync(index, start, start + page - 1, Order.Descending);
            if (ids.Length == 0)
            {
                break;
            }
            var batch = db.CreateBatch();
            var reads = ids.Select(id => batch.HashGetAllAsync(RedisKeys.Job(id!))).ToList();
            batch.Execute();
            foreach (var fields in await Task.WhenAll(reads))
            {
                if (fields.Length == 0)
                {
                    continue;
                }
                var view = JobRecords.FromHash(fields, []).View;
                if ((project is null || view.Project == project) && (state is null || view.State == state))
                {
                    views.Add(view);
                    if (views.Count == limit)
                    {
                        break;
                    }
                }
            }
        }
        return views;
    }

    /// <summary>The group with how many of its jobs are in each state, or null when there is no such group.</summary>
    public async Task<GroupView?> GetGroupAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = Db;
        var fields = (await db.HashGetAllAsync(RedisKeys.Group(id))).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        if (fields.Count == 0)
        {
            return null;
        }
        var ids = await db.SortedSetRangeByRankAsync(RedisKeys.GroupJobs(id));
        var batch = db.CreateBatch();
        var states = ids.Select(j => batch.HashGetAsync(RedisKeys.Job(j!), "state")).ToList();
        batch.Execute();
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var state in await Task.WhenAll(states))
        {
            if (!state.IsNull)
            {
                counts[(string)state!] = counts.GetValueOrDefault((string)state!) + 1;
            }
        }
        return new GroupView
        {
            Id = id,
            Name = fields.GetValueOrDefault("name"),
            Owner = fields.GetValueOrDefault("owner"),
            Username = fields.GetValueOrDefault("user"),
            Total = JobRecords.ParseInt(fields.GetValueOrDefault("total")) ?? ids.Length,
            MaxRunning = JobRecords.ParseInt(fields.GetValueOrDefault("maxRunning")) ?? 0,
            CreatedAt = JobRecords.ParseTime(fields.GetValueOrDefault("createdAt")) ?? DateTimeOffset.UnixEpoch,
            Counts = counts,
        };
    }

    /// <summary>The group's jobs in the order they were expanded, at most <paramref name="limit"/> (removed jobs are left out).</summary>
    public async Task<IReadOnlyList<JobView>> ListGroupJobsAsync(string id, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = Db;
        var ids = await db.SortedSetRangeByRankAsync(RedisKeys.GroupJobs(id), 0, limit - 1);
        var batch = db.CreateBatch();
        var reads = ids.Select(j => batch.HashGetAllAsync(RedisKeys.Job(j!))).ToList();
        batch.Execute();
        return [.. (await Task.WhenAll(reads)).Where(f => f.Length > 0).Select(f => JobRecords.FromHash(f, []).View)];
    }

    /// <summary>How many jobs are queued, and where <paramref name="owner"/>'s stand (1 = placed next).</summary>
    public async Task<QueueView> QueueAsync(string owner, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(JobScripts.QueuePositions, values: [Prefix, owner, MaxQueuePositions]))!;
        var ids = new List<string>(result.Length / 2);
        var ranks = new List<int>(result.Length / 2);
        for (var i = 1; i + 1 < result.Length; i += 2)
        {
            ids.Add((string)result[i]!);
            ranks.Add((int)result[i + 1] + 1);
        }
        var stored = ids.Count == 0 ? [] : await Db.HashGetAsync(RedisKeys.WaitReasons, [.. ids.Select(id => (RedisValue)id)]);
        var missing = ids.Where((_, i) => stored[i].IsNull).ToList();
        var computed = missing.Count == 0 ? [] : await PlaceReasonsAsync(missing);
        var fallback = missing.Select((id, i) => (id, computed[i])).ToDictionary(p => p.id, p => p.Item2, StringComparer.Ordinal);
        var yours = ids.Select((id, i) => new QueuePosition(id, ranks[i]) { WaitReason = stored[i].IsNull ? fallback[id] : (string)stored[i]! });
        return new QueueView((int)result[0], [.. yours.OrderBy(p => p.Position)]);
    }

    /// <summary>Every registered node, by name.</summary>
    public async Task<IReadOnlyList<NodeView>> ListNodesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = Db;
        var names = (await db.SetMembersAsync(RedisKeys.Nodes)).Select(n => (string)n!).Order(StringComparer.Ordinal).ToList();
        var batch = db.CreateBatch();
        var reads = names.Select(n => (
            Fields: batch.HashGetAllAsync(RedisKeys.Node(n)),
            Alive: batch.KeyExistsAsync(RedisKeys.NodeAlive(n)),
            Jobs: batch.SetMembersAsync(RedisKeys.NodeJobs(n)))).ToList();
        batch.Execute();
        var nodes = new List<NodeView>();
        foreach (var read in reads)
        {
            var f = (await read.Fields).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
            var state = f.TryGetValue("state", out var s) ? JobRecords.ParseNodeState(s) : NodeState.Down;
            if (state != NodeState.Down && !await read.Alive)
            {
                state = NodeState.Down; // the reaper has not swept it yet
            }
            var use = await NodeUseAsync(db, await read.Jobs);
            nodes.Add(new NodeView
            {
                Name = f.GetValueOrDefault("name") ?? "",
                Address = f.GetValueOrDefault("address") ?? "",
                Runtime = f.GetValueOrDefault("runtime") ?? "",
                Slots = JobRecords.ParseInt(f.GetValueOrDefault("slots")) ?? 0,
                Running = (await read.Jobs).Length,
                State = state,
                LastSeen = JobRecords.ParseTime(f.GetValueOrDefault("seen")),
                Gpus = ParseGpus(f.GetValueOrDefault("gpuInfo"), f.GetValueOrDefault("gpus")),
                GpusInUse = use.Gpus,
                CpuMillis = ParseLong(f.GetValueOrDefault("cpuMillis")) ?? 0,
                CpuMillisInUse = use.CpuMillis,
                MemoryBytes = ParseLong(f.GetValueOrDefault("memoryBytes")) ?? 0,
                MemoryBytesInUse = use.MemoryBytes,
                Limits = f.GetValueOrDefault("limits") is { Length: > 0 } limits ? limits : NodeLimits.None,
                LimitsNote = f.GetValueOrDefault("limitsNote") ?? "",
            });
        }
        return nodes;
    }

    /// <summary>
    /// What the jobs on a node hold: their assigned GPU ids, and the CPU and memory they asked for
    /// (the flat <c>cpuMillis</c>/<c>memoryBytes</c> fields written at submit, else the spec's resources).
    /// </summary>
    private static async Task<(IReadOnlyList<string> Gpus, long CpuMillis, long MemoryBytes)> NodeUseAsync(IDatabase db, RedisValue[] jobs)
    {
        if (jobs.Length == 0)
        {
            return ([], 0, 0);
        }
        var batch = db.CreateBatch();
        var reads = jobs.Select(j => batch.HashGetAsync(RedisKeys.Job((string)j!), ["gpuIds", "cpuMillis", "memoryBytes", "spec"])).ToList();
        batch.Execute();
        var gpus = new List<string>();
        long cpu = 0, memory = 0;
        foreach (var read in reads)
        {
            var v = await read;
            if (!v[0].IsNullOrEmpty)
            {
                gpus.AddRange(((string)v[0]!).Split(',', StringSplitOptions.RemoveEmptyEntries));
            }
            var resources = v[1].IsNull || v[2].IsNull ? SpecResources(v[3]) : null;
            cpu += ParseLong(v[1]) ?? (resources?.Cpus is { } c ? (long)Math.Round(c * 1000) : 0);
            memory += ParseLong(v[2]) ?? resources?.MemoryBytes ?? 0;
        }
        return ([.. gpus.Order(StringComparer.Ordinal)], cpu, memory);
    }

    private static long? ParseLong(string? value) =>
        long.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    private static JobResources? SpecResources(RedisValue spec)
    {
        if (spec.IsNullOrEmpty)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<JobSpec>((string)spec!, AtlasJson.Options)?.Resources;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // gpuInfo as written by Register; a node that wrote only ids (or bad JSON) still shows them.
    private static IReadOnlyList<NodeGpu> ParseGpus(string? info, string? ids)
    {
        if (!string.IsNullOrEmpty(info))
        {
            try
            {
                if (JsonSerializer.Deserialize<List<NodeGpu>>(info, AtlasJson.Options) is { Count: > 0 } gpus)
                {
                    return gpus;
                }
            }
            catch (JsonException)
            {
            }
        }
        return [.. (ids ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(id => new NodeGpu(id, "", 0))];
    }
}
