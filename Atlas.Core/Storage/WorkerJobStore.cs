using System.Globalization;
using System.Text.Json;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using StackExchange.Redis;

namespace Atlas.Core.Storage;

/// <summary>
/// What a worker changes: its node's registration and state, and the jobs placed on it: claim,
/// start, heartbeat, complete, hand back. Every job write carries the assignment's fencing token
/// and is refused once it is stale. Only the worker registers it.
/// </summary>
public sealed class WorkerJobStore(IConnectionMultiplexer redis)
{
    private static readonly RedisValue Prefix = RedisKeys.Prefix;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>Registers a node. Returns the jobs the store still holds on it (assigned, starting or running).</summary>
    public async Task<IReadOnlyList<string>> RegisterNodeAsync(NodeRegistration node, TimeSpan aliveFor, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var r = node.Resources;
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(JobScripts.Register, values:
            [Prefix, node.Name, node.Address, node.Runtime, node.Slots, (long)aliveFor.TotalMilliseconds,
             string.Join(',', r?.Gpus.Select(g => g.Id) ?? []), JsonSerializer.Serialize(r?.Gpus ?? [], AtlasJson.Options),
             r is null ? "" : r.CpuMillis, r is null ? "" : r.MemoryBytes, r?.Limits ?? NodeLimits.None, r?.LimitsNote ?? ""]))!;
        return [.. result.Select(r => (string)r!)];
    }

    /// <summary>Marks a node draining or down.</summary>
    public async Task SetNodeStateAsync(string name, NodeState state, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await Db.ScriptEvaluateAsync(JobScripts.SetNodeState, values: [Prefix, name, JobRecords.NodeStateName(state)]);
    }

    /// <summary>The assignments waiting in <paramref name="node"/>'s inbox, in placement order, each with its token.</summary>
    public async Task<IReadOnlyList<Assignment>> InboxAsync(string node, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var entries = await Db.ListRangeAsync(RedisKeys.NodeInbox(node));
        return [.. entries.Select(e => Assignment.Parse(e)).OfType<Assignment>()];
    }

    /// <summary>
    /// Takes <paramref name="assignments"/> (read from the inbox) in one round trip: each still
    /// assigned to <paramref name="node"/> under its token becomes starting, with its claim time
    /// and a lease; a stale one only leaves the inbox.
    /// </summary>
    public async Task<ClaimedJobs> ClaimAsync(string node, TimeSpan lease, IReadOnlyList<Assignment> assignments, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (assignments.Count == 0)
        {
            return new ClaimedJobs([], []);
        }
        var args = new List<RedisValue>(3 + assignments.Count * 2) { Prefix, node, (long)lease.TotalMilliseconds };
        foreach (var a in assignments)
        {
            args.Add(a.Id);
            args.Add(a.Fence);
        }
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(JobScripts.Claim, values: [.. args]))!;
        var flat = (RedisResult[])result[0]!;
        var claimed = new List<JobRecord>(flat.Length / 2);
        for (var i = 0; i + 1 < flat.Length; i += 2)
        {
            claimed.Add(JobRecords.FromFlat((RedisResult[])flat[i + 1]!));
        }
        return new ClaimedJobs(claimed, [.. ((RedisResult[])result[1]!).Select(r => (string)r!)]);
    }

    /// <summary>
    /// Records that the job's process or container has started: starting becomes running, if
    /// <paramref name="fence"/> still owns it. Returns the start time (Redis clock), or null when
    /// the token is stale and nothing was written.
    /// </summary>
    public async Task<DateTimeOffset?> StartAsync(string id, string node, long fence, TimeSpan lease, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = await Db.ScriptEvaluateAsync(JobScripts.Start, values: [Prefix, id, node, fence, (long)lease.TotalMilliseconds]);
        return result.Resp2Type == ResultType.Integer ? DateTimeOffset.FromUnixTimeMilliseconds((long)result) : null;
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

    /// <summary>
    /// Records how a job ended, if <paramref name="fence"/> still owns it. A failure the job's retry
    /// policy covers is queued again instead (<see cref="CompleteOutcome.Retried"/>).
    /// </summary>
    public async Task<CompleteOutcome> CompleteAsync(
        string id, string node, long fence, JobState state, int? exitCode, string? reason, CancellationToken cancellationToken)
    {
        if (!JobStateMachine.IsTerminal(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "A job can only complete in a terminal state.");
        }
        cancellationToken.ThrowIfCancellationRequested();
        var result = (string)(await Db.ScriptEvaluateAsync(JobScripts.Complete, values:
            [Prefix, id, node, fence, JobStateMachine.Name(state), exitCode?.ToString(CultureInfo.InvariantCulture) ?? "", reason ?? ""]))!;
        return result switch
        {
            "done" => CompleteOutcome.Done,
            "retried" => CompleteOutcome.Retried,
            "terminal" => CompleteOutcome.AlreadyTerminal,
            _ when result.StartsWith("refused:", StringComparison.Ordinal) => CompleteOutcome.Forbidden,
            _ => CompleteOutcome.Stale,
        };
    }

    /// <summary>
    /// Hands a job back to the queue (the node drains or restarted), if <paramref name="fence"/>
    /// still owns it. True when it was requeued or, having been asked to stop, cancelled.
    /// </summary>
    public async Task<bool> HandBackAsync(string id, string node, long fence, string reason, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = (string)(await Db.ScriptEvaluateAsync(JobScripts.HandBack, values: [Prefix, id, node, fence, reason]))!;
        return result != "stale";
    }
}
