using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atlas.Core.Jobs;
using StackExchange.Redis;

namespace Atlas.Core.Storage;

/// <summary>
/// What the master changes: submits, placement and lease reaping (fenced by its leadership
/// epoch), the leader lease, and the user's stop and delete. Only the master registers it.
/// </summary>
public sealed class MasterJobStore(IConnectionMultiplexer redis)
{
    /// <summary>How long an idempotency key names its job: a client replays within minutes, not days.</summary>
    public static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);

    /// <summary>Index entries <see cref="StopQueuedAsync"/> judges per script call: a few milliseconds of Redis each (see BENCHMARKS.md).</summary>
    public const int StopQueuedChunk = 2000;

    private static readonly RedisValue Prefix = RedisKeys.Prefix;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>
    /// Records a new queued job of <paramref name="owner"/> and wakes the scheduler. With an
    /// <paramref name="idempotencyKey"/> that <paramref name="owner"/> already used, records
    /// nothing and returns the earlier job instead (in the same atomic step).
    /// </summary>
    public async Task<SubmitOutcome> SubmitAsync(
        string id, JobSpec spec, JobOwner owner, string? traceParent, string? idempotencyKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var args = new List<RedisValue>
        {
            Prefix, id, spec.Priority,
            idempotencyKey is null ? "" : IdempotencyKey(owner, idempotencyKey), (long)IdempotencyWindow.TotalMilliseconds,
        };
        args.AddRange(RecordFields(spec, owner, traceParent));
        args.AddRange(DependencyFields(spec));
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(JobScripts.Submit, values: [.. args]))!;
        if ((string)result[0]! == "dependency")
        {
            return new SubmitOutcome(id, Replayed: false, null, RefusedDependency: (string)result[1]!);
        }
        return (string)result[0]! == "replay"
            ? new SubmitOutcome((string)result[1]!, Replayed: true, null)
            : new SubmitOutcome(id, Replayed: false, DateTimeOffset.FromUnixTimeMilliseconds((long)result[1]));
    }

    /// <summary>
    /// Records a group of jobs of <paramref name="owner"/> in one atomic step: all of <paramref name="jobs"/>
    /// (id and spec, in order) and the group's hash, or nothing. Every job shares the group's
    /// dependencies (<paramref name="after"/>, <paramref name="afterAny"/>). With an idempotency
    /// key the owner already used, records nothing and names the earlier group.
    /// </summary>
    public async Task<GroupSubmitOutcome> SubmitGroupAsync(
        string groupId, string? name, int maxRunning, IReadOnlyList<(string Id, JobSpec Spec)> jobs, IReadOnlyList<string> after, IReadOnlyList<string> afterAny,
        JobOwner owner, string? traceParent, string? idempotencyKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var groupFields = new List<string> { "owner", owner.Subject, "user", owner.Username, "maxRunning", maxRunning.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (name is not null)
        {
            groupFields.AddRange(["name", name]);
        }
        var args = new List<RedisValue>
        {
            Prefix, groupId,
            idempotencyKey is null ? "" : IdempotencyKey(owner, idempotencyKey), (long)IdempotencyWindow.TotalMilliseconds,
            JsonSerializer.Serialize(groupFields),
            string.Join(',', after), string.Join(',', afterAny),
        };
        foreach (var (id, spec) in jobs)
        {
            var fields = RecordFields(spec, owner, traceParent)
                .Concat(DependencyFields(spec with { After = after, AfterAny = afterAny })).Select(v => (string)v!).ToList();
            args.Add(id);
            args.Add(JsonSerializer.Serialize(fields));
        }
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(JobScripts.SubmitGroup, values: [.. args]))!;
        var kind = (string)result[0]!;
        return kind switch
        {
            "new" => new GroupSubmitOutcome(GroupSubmitKind.Created, groupId, DateTimeOffset.FromUnixTimeMilliseconds((long)result[1])),
            "replay" => new GroupSubmitOutcome(GroupSubmitKind.Replayed, (string)result[1]!, null),
            "dependency" => new GroupSubmitOutcome(GroupSubmitKind.RefusedDependency, (string)result[1]!, null),
            "exists" => new GroupSubmitOutcome(GroupSubmitKind.IdTaken, (string)result[1]!, null),
            _ => new GroupSubmitOutcome(GroupSubmitKind.Corrupt, (string)result[1]!, null),
        };
    }

    /// <summary>Stops every job of the group that has not ended (queued ones are cancelled at once), in one step; null when there is no such group.</summary>
    public async Task<GroupStopView?> StopGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = await Db.ScriptEvaluateAsync(JobScripts.StopGroup, values: [Prefix, groupId]);
        if (result.Resp2Type == ResultType.BulkString)
        {
            return null;
        }
        var counts = (RedisResult[])result!;
        return new GroupStopView(groupId, (int)counts[0], (int)counts[1], (int)counts[2]);
    }

    // A job's record as the submit scripts write it (beside id, state, attempt, fence and times):
    // the spec, and flat copies of what the scripts and placement read so that none parses the spec.
    private static List<RedisValue> RecordFields(JobSpec spec, JobOwner owner, string? traceParent)
    {
        var fields = new List<RedisValue>
        {
            "spec", JsonSerializer.Serialize(spec, AtlasJson.Options),
            "priority", spec.Priority,
            "project", spec.Project ?? JobDefaults.Project,
            "owner", owner.Subject,
            "user", owner.Username,
        };
        if (spec.Resources is { } resources)
        {
            fields.AddRange(["gpus", resources.Gpus]);
            if (resources.Cpus is { } cpus)
            {
                fields.AddRange(["cpuMillis", (long)Math.Ceiling(cpus * 1000)]);
            }
            if (resources.MemoryBytes is { } memory)
            {
                fields.AddRange(["memoryBytes", memory]);
            }
        }
        if (spec.TimeLimitSeconds is { } limit)
        {
            fields.AddRange(["timeLimitMs", limit * 1000L]);
        }
        if (spec.Retries > 0)
        {
            // What the Complete script reads: how many failures get a new attempt, and which exit codes ('' = any non-zero).
            fields.AddRange(["retries", spec.Retries, "retryOn", string.Join(',', spec.RetryOn ?? [])]);
        }
        if (traceParent is not null)
        {
            fields.AddRange(["trace", traceParent]);
        }
        return fields;
    }

    // The dependency fields of a job's record: comma lists the scripts read (and check) in the submit's own step.
    private static IEnumerable<RedisValue> DependencyFields(JobSpec spec)
    {
        if (spec.After is { Count: > 0 } after)
        {
            yield return "after";
            yield return string.Join(',', after);
        }
        if (spec.AfterAny is { Count: > 0 } afterAny)
        {
            yield return "afterAny";
            yield return string.Join(',', afterAny);
        }
    }

    /// <summary>The job an earlier submit of <paramref name="owner"/> with this idempotency key created, if any.</summary>
    public async Task<string?> FindSubmittedAsync(JobOwner owner, string idempotencyKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await Db.StringGetAsync(IdempotencyKey(owner, idempotencyKey));
    }

    // Scoped per user, and hashed so that neither part can spell another's key.
    private static string IdempotencyKey(JobOwner owner, string key) =>
        RedisKeys.Idempotency(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{owner.Subject}\n{key}"))));

    /// <summary>
    /// One placement pass as the scheduler runs it (snapshot, <see cref="Scheduling.PlacementPolicy"/> with
    /// default options, leader-fenced apply), keeping at most <paramref name="limit"/> placements:
    /// for tests and tools that place without a running scheduler.
    /// </summary>
    /// <exception cref="NotLeaderException"><paramref name="epoch"/> is not the current leader's.</exception>
    public async Task<IReadOnlyList<PlacedJob>> PlaceAsync(int limit, TimeSpan lease, long epoch, CancellationToken cancellationToken)
    {
        var options = new Scheduling.SchedulingOptions();
        var placement = new PlacementStore(redis);
        var snapshot = await placement.ReadSnapshotAsync(options.HeadsPerOwner, cancellationToken);
        var plan = Scheduling.PlacementPolicy.Plan(snapshot, options);
        plan = plan with { Decisions = [.. plan.Decisions.Take(limit)] };
        var result = await placement.ApplyAsync(plan, lease, TimeSpan.FromSeconds(options.ReasonsTtlSeconds), epoch, cancellationToken);
        return result.Placed;
    }

    /// <summary>
    /// How many jobs wait in the queue and how many hold a lease (on a node): two O(1) reads in
    /// one round trip, for the master's gauges.
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

    /// <summary>Turns expired leases into requeued (or failed, or cancelled) jobs and marks silent nodes down.</summary>
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

    /// <summary>Cancels a queued job, or flags one on a node and wakes that node.</summary>
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

    /// <summary>
    /// Sets a queued job's priority (or, with <paramref name="top"/>, makes it first among its
    /// owner's waiting jobs) and moves it to its new place in the queue, in one step.
    /// </summary>
    public async Task<PriorityOutcome> ReprioritizeAsync(string id, int priority, bool top, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = (string)(await Db.ScriptEvaluateAsync(JobScripts.Reprioritize, values: [Prefix, id, priority, top ? "1" : "0"]))!;
        return result switch
        {
            "missing" => new PriorityOutcome(PriorityKind.Missing),
            _ when result.StartsWith("state:", StringComparison.Ordinal) => new PriorityOutcome(PriorityKind.NotQueued, State: JobRecords.ParseState(result["state:".Length..])),
            _ => new PriorityOutcome(PriorityKind.Changed, int.Parse(result["changed:".Length..], CultureInfo.InvariantCulture)),
        };
    }

    /// <summary>
    /// Cancels waiting jobs ("stopped by user"): those of <paramref name="owner"/> (a subject), or with
    /// <paramref name="owner"/> null every job whose owner or user name is <paramref name="user"/>
    /// (null: everyone's). It walks the owner's (or every job's) index <paramref name="chunk"/>
    /// entries per script call, so a long queue never holds Redis for long; jobs submitted while it
    /// runs may stay queued. Returns how many it cancelled.
    /// </summary>
    public async Task<long> StopQueuedAsync(string? owner, string? user, int chunk, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        var index = owner is null ? RedisKeys.Jobs : RedisKeys.OwnerJobs(owner);
        long cancelled = 0;
        for (long start = 0; ;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = (RedisResult[])(await Db.ScriptEvaluateAsync(JobScripts.StopQueued, values:
                [Prefix, index, owner ?? user ?? "", start, chunk]))!;
            cancelled += (long)result[0];
            start = (long)result[1];
            if ((long)result[2] == 1)
            {
                return cancelled;
            }
        }
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
}
