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
        return fields.Length == 0 ? null : JobRecords.FromHash(fields, await historyTask);
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
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(JobScripts.QueuePositions, values: [Prefix, owner]))!;
        var yours = new List<QueuePosition>(result.Length / 2);
        for (var i = 1; i + 1 < result.Length; i += 2)
        {
            yours.Add(new QueuePosition((string)result[i]!, (int)result[i + 1] + 1));
        }
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
            Running: batch.SetLengthAsync(RedisKeys.NodeJobs(n)),
            Alive: batch.KeyExistsAsync(RedisKeys.Node(n) + ":alive"))).ToList();
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
            nodes.Add(new NodeView
            {
                Name = f.GetValueOrDefault("name") ?? "",
                Address = f.GetValueOrDefault("address") ?? "",
                Runtime = f.GetValueOrDefault("runtime") ?? "",
                Slots = JobRecords.ParseInt(f.GetValueOrDefault("slots")) ?? 0,
                Running = (int)await read.Running,
                State = state,
                LastSeen = JobRecords.ParseTime(f.GetValueOrDefault("seen")),
            });
        }
        return nodes;
    }
}
