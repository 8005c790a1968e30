using System.Globalization;
using System.Text.Json;
using Atlas.Core.Jobs;
using Atlas.Core.Schedules;
using StackExchange.Redis;

namespace Atlas.Core.Storage;

/// <summary>
/// Scheduled jobs in Redis: what the users add, pause, resume and remove, and the leader's
/// fenced claim of each tick. Only the master registers it.
/// </summary>
public sealed class ScheduleStore(IConnectionMultiplexer redis)
{
    private static readonly RedisValue Prefix = RedisKeys.Prefix;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>Records a new schedule, due at <see cref="ScheduleRecord.Next"/>. False when its owner already has a schedule of its name.</summary>
    public async Task<bool> AddAsync(ScheduleRecord schedule, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = (string)(await Db.ScriptEvaluateAsync(ScheduleScripts.Add, values:
        [
            Prefix, schedule.Id, schedule.Owner.Subject, schedule.Name ?? "", schedule.CreatedAt.ToUnixTimeMilliseconds(), Ms(schedule.Next!.Value),
            "user", schedule.Owner.Username,
            "cron", schedule.Cron,
            "timezone", schedule.TimeZone,
            "spec", JsonSerializer.Serialize(schedule.Spec, AtlasJson.Options),
        ]))!;
        return result == "ok";
    }

    /// <summary>The schedule, or null when there is none.</summary>
    public async Task<ScheduleRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Parse(await Db.HashGetAllAsync(RedisKeys.Schedule(id)));
    }

    /// <summary>The id of <paramref name="owner"/>'s schedule named <paramref name="name"/>, or null.</summary>
    public async Task<string?> FindByNameAsync(string owner, string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await Db.HashGetAsync(RedisKeys.OwnerScheduleNames(owner), name);
    }

    /// <summary>Schedules oldest first; with <paramref name="owner"/>, only theirs (read from their own index).</summary>
    public async Task<IReadOnlyList<ScheduleRecord>> ListAsync(string? owner, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = Db;
        var ids = await db.SortedSetRangeByRankAsync(owner is null ? RedisKeys.Schedules : RedisKeys.OwnerSchedules(owner));
        var reads = ids.Select(id => db.HashGetAllAsync(RedisKeys.Schedule(id!))).ToArray();
        await Task.WhenAll(reads);
        return [.. reads.Select(r => Parse(r.Result)).OfType<ScheduleRecord>()];
    }

    /// <summary>Stops the schedule's ticks until it is resumed. False when there is no such schedule.</summary>
    public Task<bool> PauseAsync(string id, CancellationToken cancellationToken) => RunAsync(ScheduleScripts.Pause, [Prefix, id], cancellationToken);

    /// <summary>A paused schedule ticks again from <paramref name="next"/>. False when there is no such schedule.</summary>
    public Task<bool> ResumeAsync(string id, DateTimeOffset next, CancellationToken cancellationToken) =>
        RunAsync(ScheduleScripts.Resume, [Prefix, id, Ms(next)], cancellationToken);

    /// <summary>Removes the schedule (its jobs stay). False when there is no such schedule.</summary>
    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => RunAsync(ScheduleScripts.Delete, [Prefix, id], cancellationToken);

    /// <summary>Up to <paramref name="limit"/> schedules due at <paramref name="now"/>, earliest first.</summary>
    public async Task<IReadOnlyList<string>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var ids = await Db.SortedSetRangeByScoreAsync(RedisKeys.SchedulesDue, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), take: limit);
        return [.. ids.Select(id => (string)id!)];
    }

    /// <summary>Schedules with a claimed tick whose job may not be recorded yet.</summary>
    public async Task<IReadOnlyList<string>> PendingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return [.. (await Db.SetMembersAsync(RedisKeys.SchedulesPending)).Select(id => (string)id!)];
    }

    /// <summary>
    /// Claims the tick at <paramref name="tick"/> for job <paramref name="jobId"/> and moves the
    /// schedule on to <paramref name="following"/>, if the schedule is still due at that tick
    /// (compare-and-set) and <paramref name="epoch"/> still leads.
    /// </summary>
    /// <exception cref="NotLeaderException"><paramref name="epoch"/> is not the current leader's.</exception>
    public async Task<TickClaim> ClaimTickAsync(string id, DateTimeOffset tick, DateTimeOffset following, string jobId, long epoch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string result;
        try
        {
            result = (string)(await Db.ScriptEvaluateAsync(ScheduleScripts.Claim, values: [Prefix, id, Ms(tick), Ms(following), jobId, epoch]))!;
        }
        catch (RedisServerException ex) when (ex.Message.Contains("NOTLEADER", StringComparison.Ordinal))
        {
            throw new NotLeaderException();
        }
        return result switch
        {
            "claimed" => TickClaim.Claimed,
            "paused" => TickClaim.Paused,
            "missing" => TickClaim.Missing,
            _ => TickClaim.Stale, // 'stale' or 'pending': the pending tick is submitted first
        };
    }

    /// <summary>The job of the schedule's pending tick, <paramref name="jobId"/>, is recorded (or will never be): the tick is done.</summary>
    public async Task TickDoneAsync(string id, string jobId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await Db.ScriptEvaluateAsync(ScheduleScripts.TickDone, values: [Prefix, id, jobId]);
    }

    private async Task<bool> RunAsync(string script, RedisValue[] args, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return (string)(await Db.ScriptEvaluateAsync(script, values: args))! == "ok";
    }

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static ScheduleRecord? Parse(HashEntry[] fields)
    {
        if (fields.Length == 0)
        {
            return null;
        }
        var f = fields.ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);
        if (!f.TryGetValue("id", out var id) || !f.TryGetValue("spec", out var spec))
        {
            return null; // half a record: only the Add script writes one, all at once
        }
        return new ScheduleRecord
        {
            Id = id,
            Name = f.GetValueOrDefault("name") is { Length: > 0 } name ? name : null,
            Cron = f.GetValueOrDefault("cron") ?? "",
            TimeZone = f.GetValueOrDefault("timezone") ?? "UTC",
            Owner = new JobOwner(f.GetValueOrDefault("owner") ?? "", f.GetValueOrDefault("user") ?? ""),
            Spec = JsonSerializer.Deserialize<JobSpec>(spec, AtlasJson.Options)!,
            Paused = f.GetValueOrDefault("paused") == "1",
            Next = Time(f, "next"),
            CreatedAt = Time(f, "created") ?? DateTimeOffset.UnixEpoch,
            LastTick = Time(f, "lastTick"),
            LastJob = f.GetValueOrDefault("lastJob"),
            PendingTick = Time(f, "pendingTick"),
            PendingJob = f.GetValueOrDefault("pendingJob"),
        };
    }

    private static DateTimeOffset? Time(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
}
