using System.Globalization;
using System.Text.Json;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using StackExchange.Redis;

namespace Atlas.Core.Storage;

/// <summary>
/// The job store and queue in Redis: the one seam through which the master, the workers and the
/// gateway read and change jobs and nodes. Every change is one Lua script (<see cref="JobScripts"/>),
/// so it is atomic, checked against the expected state and fencing token, and timed by Redis's clock.
/// </summary>
public sealed class JobStore(IConnectionMultiplexer redis)
{
    private static readonly RedisValue Prefix = RedisKeys.Prefix;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>Records a new queued job of <paramref name="owner"/> and wakes the scheduler. Returns the submit time (Redis clock).</summary>
    public async Task<DateTimeOffset> SubmitAsync(string id, JobSpec spec, JobOwner owner, string? traceParent, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var args = new List<RedisValue>
        {
            Prefix, id, spec.Priority,
            "spec", JsonSerializer.Serialize(spec, AtlasJson.Options),
            "priority", spec.Priority,
            "project", spec.Project ?? JobDefaults.Project,
            "owner", owner.Subject,
            "user", owner.Username,
        };
        if (traceParent is not null)
        {
            args.Add("trace");
            args.Add(traceParent);
        }
        var result = await Db.ScriptEvaluateAsync(JobScripts.Submit, values: [.. args]);
        return DateTimeOffset.FromUnixTimeMilliseconds((long)result);
    }

    /// <summary>Places up to <paramref name="limit"/> queued jobs on nodes with free slots. Returns what was placed where.</summary>
    /// <exception cref="NotLeaderException"><paramref name="epoch"/> is not the current leader's.</exception>
    public async Task<IReadOnlyList<PlacedJob>> PlaceAsync(int limit, TimeSpan lease, long epoch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = (RedisResult[])(await EvaluateAsLeaderAsync(JobScripts.Place, [Prefix, limit, (long)lease.TotalMilliseconds, epoch]))!;
        var placed = new List<PlacedJob>(result.Length / 5);
        for (var i = 0; i + 4 < result.Length; i += 5)
        {
            var trace = (string?)result[i + 4];
            placed.Add(new PlacedJob((string)result[i]!, (string)result[i + 1]!, (long)result[i + 2], (int)result[i + 3], string.IsNullOrEmpty(trace) ? null : trace));
        }
        return placed;
    }

    /// <summary>
    /// How many jobs wait in the queue and how many hold a lease (assigned or running): two O(1)
    /// reads in one round trip, for the master's gauges.
    /// </summary>
    public async Task<(long Queued, long Running)> CountsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var batch = Db.CreateBatch();
        var queued = batch.SortedSetLengthAsync(RedisKeys.Queue);
        var running = batch.SortedSetLengthAsync(RedisKeys.Leases);
        batch.Execute();
        return (await queued, await running);
    }

    /// <summary>Moves an assigned job to running under <paramref name="fence"/>.</summary>
    public async Task<StartOutcome> StartAsync(string id, string node, long fence, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = (string)(await Db.ScriptEvaluateAsync(JobScripts.Start, values: [Prefix, id, node, fence, (long)lease.TotalMilliseconds]))!;
        return result switch
        {
            "started" => StartOutcome.Started,
            "cancelled" => StartOutcome.Cancelled,
            _ => StartOutcome.Stale,
        };
    }

    /// <summary>
    /// Starts every job assigned to <paramref name="node"/> in one round trip and returns them,
    /// running under their fencing tokens (history left empty).
    /// </summary>
    public async Task<IReadOnlyList<JobRecord>> StartAssignedAsync(string node, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(JobScripts.StartAssigned, values: [Prefix, node, (long)lease.TotalMilliseconds]))!;
        var jobs = new List<JobRecord>(result.Length / 2);
        for (var i = 0; i + 1 < result.Length; i += 2)
        {
            var flat = (RedisResult[])result[i + 1]!;
            var fields = new HashEntry[flat.Length / 2];
            for (var f = 0; f + 1 < flat.Length; f += 2)
            {
                fields[f / 2] = new HashEntry((string)flat[f]!, (string)flat[f + 1]!);
            }
            jobs.Add(ToRecord(fields, []));
        }
        return jobs;
    }

    /// <summary>Keeps <paramref name="node"/> alive and renews its jobs' leases. Returns the jobs whose token is stale.</summary>
    public async Task<IReadOnlyList<string>> HeartbeatAsync(
        string node, TimeSpan aliveFor, TimeSpan lease, IEnumerable<(string Id, long Fence)> held, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var args = new List<RedisValue> { Prefix, node, (long)aliveFor.TotalMilliseconds, (long)lease.TotalMilliseconds };
        foreach (var (id, fence) in held)
        {
            args.Add(id);
            args.Add(fence);
        }
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(JobScripts.Heartbeat, values: [.. args]))!;
        return [.. result.Select(r => (string)r!)];
    }

    /// <summary>Records how a job ended, if <paramref name="fence"/> still owns it.</summary>
    public async Task<CompleteOutcome> CompleteAsync(
        string id, string node, long fence, JobState state, int? exitCode, string? reason, CancellationToken cancellationToken)
    {
        if (!JobStateMachine.IsTerminal(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "A job can only complete in a terminal state.");
        }
        cancellationToken.ThrowIfCancellationRequested();
        var result = (string)(await Db.ScriptEvaluateAsync(JobScripts.Complete, values:
            [Prefix, id, node, fence, StateName(state), exitCode?.ToString(CultureInfo.InvariantCulture) ?? "", reason ?? ""]))!;
        return result switch
        {
            "done" => CompleteOutcome.Done,
            "terminal" => CompleteOutcome.AlreadyTerminal,
            _ => CompleteOutcome.Stale,
        };
    }

    /// <summary>
    /// Hands a job back to the queue (a draining node), if <paramref name="fence"/> still owns it.
    /// True when it was requeued or, having been asked to stop, cancelled.
    /// </summary>
    public async Task<bool> RequeueAsync(string id, string node, long fence, string reason, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = (string)(await Db.ScriptEvaluateAsync(JobScripts.Requeue, values: [Prefix, id, node, fence, reason]))!;
        return result != "stale";
    }

    /// <summary>Cancels a queued job, or flags an active one and wakes its node.</summary>
    public async Task<StopOutcome> StopAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = (string)(await Db.ScriptEvaluateAsync(JobScripts.Stop, values: [Prefix, id]))!;
        return result switch
        {
            "missing" => new StopOutcome(StopKind.Missing),
            "cancelled" => new StopOutcome(StopKind.Cancelled),
            _ when result.StartsWith("stopping:", StringComparison.Ordinal) => new StopOutcome(StopKind.Stopping, result["stopping:".Length..]),
            _ => new StopOutcome(StopKind.AlreadyTerminal),
        };
    }

    /// <summary>Turns expired leases into requeued (or failed) jobs and marks silent nodes down.</summary>
    /// <exception cref="NotLeaderException"><paramref name="epoch"/> is not the current leader's.</exception>
    public async Task<int> ReapAsync(int limit, int maxAttempts, long epoch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return (int)await EvaluateAsLeaderAsync(JobScripts.Reap, [Prefix, limit, maxAttempts, epoch]);
    }

    /// <summary>Takes or renews the leader lease for <paramref name="masterId"/>: its epoch while it leads, else 0.</summary>
    public async Task<long> LeadAsync(string masterId, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return (long)await Db.ScriptEvaluateAsync(JobScripts.Lead, values: [Prefix, masterId, (long)lease.TotalMilliseconds]);
    }

    /// <summary>Gives up the leader lease if <paramref name="masterId"/> holds it.</summary>
    public async Task ResignAsync(string masterId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await Db.ScriptEvaluateAsync(JobScripts.Resign, values: [Prefix, masterId]);
    }

    private async Task<RedisResult> EvaluateAsLeaderAsync(string script, RedisValue[] args)
    {
        try
        {
            return await Db.ScriptEvaluateAsync(script, values: args);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("NOTLEADER", StringComparison.Ordinal))
        {
            throw new NotLeaderException();
        }
    }

    /// <summary>Registers a node. Returns the jobs the store still holds as active on it.</summary>
    public async Task<IReadOnlyList<string>> RegisterNodeAsync(NodeRegistration node, TimeSpan aliveFor, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(JobScripts.Register, values:
            [Prefix, node.Name, node.Address, node.Runtime, node.Slots, (long)aliveFor.TotalMilliseconds]))!;
        return [.. result.Select(r => (string)r!)];
    }

    /// <summary>Marks a node draining or down.</summary>
    public async Task SetNodeStateAsync(string name, NodeState state, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await Db.ScriptEvaluateAsync(JobScripts.SetNodeState, values: [Prefix, name, StateName(state)]);
    }

    /// <summary>Removes a finished job's records.</summary>
    public async Task<DeleteOutcome> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = (string)(await Db.ScriptEvaluateAsync(JobScripts.Delete, values: [Prefix, id]))!;
        return result switch
        {
            "deleted" => DeleteOutcome.Deleted,
            "missing" => DeleteOutcome.Missing,
            _ => DeleteOutcome.Active,
        };
    }

    /// <summary>The job assigned to <paramref name="node"/> and not yet started, in assignment order.</summary>
    public async Task<IReadOnlyList<string>> InboxAsync(string node, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var ids = await Db.ListRangeAsync(RedisKeys.NodeInbox(node));
        return [.. ids.Select(v => (string)v!)];
    }

    /// <summary>The address of the node running the job, while it is active; the gateway's lookup.</summary>
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
        return value.IsNull ? null : ParseState(value!);
    }

    /// <summary>The job's state and owner, or null when there is no such job: what an access check reads.</summary>
    public async Task<JobAccess?> AccessAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var values = await Db.HashGetAsync(RedisKeys.Job(id), ["state", "owner"]);
        return values[0].IsNull ? null : new JobAccess(ParseState(values[0]!), values[1].IsNull ? null : (string)values[1]!);
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
        return fields.Length == 0 ? null : ToRecord(fields, await historyTask);
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
        const int page = 500;
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
                var view = ToRecord(fields, []).View;
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
            var state = f.TryGetValue("state", out var s) ? ParseNodeState(s) : NodeState.Down;
            if (state != NodeState.Down && !await read.Alive)
            {
                state = NodeState.Down; // the reaper has not swept it yet
            }
            nodes.Add(new NodeView
            {
                Name = f.GetValueOrDefault("name") ?? "",
                Address = f.GetValueOrDefault("address") ?? "",
                Runtime = f.GetValueOrDefault("runtime") ?? "",
                Slots = ParseInt(f.GetValueOrDefault("slots")) ?? 0,
                Running = (int)await read.Running,
                State = state,
                LastSeen = ParseTime(f.GetValueOrDefault("seen")),
            });
        }
        return nodes;
    }

    private static JobRecord ToRecord(HashEntry[] entries, RedisValue[] history)
    {
        var f = entries.ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        var spec = JsonSerializer.Deserialize<JobSpec>(f["spec"], AtlasJson.Options) ?? new JobSpec();
        var trace = f.GetValueOrDefault("trace");
        var view = new JobView
        {
            Id = f["id"],
            Name = spec.Name,
            Project = spec.Project ?? JobDefaults.Project,
            Image = spec.Image,
            Command = spec.Command,
            Priority = spec.Priority,
            State = ParseState(f["state"]),
            Owner = f.GetValueOrDefault("owner"),
            Username = f.GetValueOrDefault("user"),
            Node = f.GetValueOrDefault("node"),
            Attempt = ParseInt(f.GetValueOrDefault("attempt")) ?? 1,
            ExitCode = ParseInt(f.GetValueOrDefault("exit")),
            Reason = f.GetValueOrDefault("reason"),
            SubmittedAt = ParseTime(f["submitted"]) ?? DateTimeOffset.UnixEpoch,
            StartedAt = ParseTime(f.GetValueOrDefault("started")),
            FinishedAt = ParseTime(f.GetValueOrDefault("finished")),
            TraceId = TraceIdOf(trace),
            History = [.. history.Select(h => ParseHistory(h!))],
        };
        return new JobRecord(
            view,
            spec,
            long.Parse(f.GetValueOrDefault("fence") ?? "0", CultureInfo.InvariantCulture),
            f.GetValueOrDefault("stop") == "1",
            trace);
    }

    // A W3C traceparent is version-traceid-spanid-flags; anything else names no trace.
    private static string? TraceIdOf(string? traceParent) =>
        traceParent is { Length: >= 55 } && traceParent[2] == '-' && traceParent[35] == '-' ? traceParent[3..35] : null;

    private static JobHistoryEntry ParseHistory(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return new JobHistoryEntry(
            ParseState(root.GetProperty("state").GetString()!),
            DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("at").GetInt64()),
            root.TryGetProperty("node", out var n) ? n.GetString() : null,
            root.TryGetProperty("reason", out var r) ? r.GetString() : null);
    }

    /// <summary>A state as stored and shown: lower camel case.</summary>
    public static string StateName(Enum state) => JsonNamingPolicy.CamelCase.ConvertName(state.ToString());

    private static JobState ParseState(string value) => Enum.Parse<JobState>(value, ignoreCase: true);

    private static NodeState ParseNodeState(string value) => Enum.Parse<NodeState>(value, ignoreCase: true);

    private static int? ParseInt(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static DateTimeOffset? ParseTime(string? value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
