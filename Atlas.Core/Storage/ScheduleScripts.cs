namespace Atlas.Core.Storage;

/// <summary>
/// The Lua scripts behind <see cref="ScheduleStore"/>: each change to a schedule is one atomic
/// step. ARGV[1] is the key prefix, as in <see cref="JobScripts"/>, whose <c>leads</c> fences the
/// tick claim by the leader's epoch.
/// </summary>
internal static class ScheduleScripts
{
    /// <summary>
    /// ARGV: prefix, id, owner, name ('' for none), created ms, next ms, then field/value pairs.
    /// Returns 'ok', or 'name-taken' when the owner already has a schedule of that name.
    /// </summary>
    public static readonly string Add = """
        local P = ARGV[1]
        local id, owner, name, created, next = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
        local names = P .. 'owner:' .. owner .. ':schedule-names'
        if name ~= '' and redis.call('HEXISTS', names, name) == 1 then return 'name-taken' end
        local key = P .. 'schedule:' .. id
        if redis.call('EXISTS', key) == 1 then return redis.error_reply('EXISTS') end
        local fields = { 'id', id, 'owner', owner, 'name', name, 'created', created, 'next', next, 'paused', '0' }
        for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
        redis.call('HSET', key, unpack(fields))
        redis.call('ZADD', P .. 'schedules', created, id)
        redis.call('ZADD', P .. 'owner:' .. owner .. ':schedules', created, id)
        redis.call('ZADD', P .. 'schedules:due', next, id)
        if name ~= '' then redis.call('HSET', names, name, id) end
        return 'ok'
        """;

    /// <summary>ARGV: prefix, id. Takes the schedule out of the due set. Returns 'ok' or 'missing'.</summary>
    public static readonly string Pause = """
        local P, id = ARGV[1], ARGV[2]
        local key = P .. 'schedule:' .. id
        if redis.call('EXISTS', key) == 0 then return 'missing' end
        redis.call('HSET', key, 'paused', '1')
        redis.call('ZREM', P .. 'schedules:due', id)
        return 'ok'
        """;

    /// <summary>
    /// ARGV: prefix, id, next ms. A paused schedule runs again from <c>next</c> (the ticks it
    /// missed while paused are skipped); one that is not paused is left as it is. Returns 'ok' or 'missing'.
    /// </summary>
    public static readonly string Resume = """
        local P, id = ARGV[1], ARGV[2]
        local key = P .. 'schedule:' .. id
        if redis.call('EXISTS', key) == 0 then return 'missing' end
        if redis.call('HGET', key, 'paused') ~= '1' then return 'ok' end
        redis.call('HSET', key, 'paused', '0', 'next', ARGV[3])
        redis.call('ZADD', P .. 'schedules:due', ARGV[3], id)
        return 'ok'
        """;

    /// <summary>ARGV: prefix, id. Removes the schedule and its indexes. Returns 'ok' or 'missing'.</summary>
    public static readonly string Delete = """
        local P, id = ARGV[1], ARGV[2]
        local key = P .. 'schedule:' .. id
        local s = redis.call('HMGET', key, 'owner', 'name')
        if not s[1] then return 'missing' end
        redis.call('DEL', key)
        redis.call('ZREM', P .. 'schedules', id)
        redis.call('ZREM', P .. 'schedules:due', id)
        redis.call('ZREM', P .. 'owner:' .. s[1] .. ':schedules', id)
        redis.call('SREM', P .. 'schedules:pending', id)
        local names = P .. 'owner:' .. s[1] .. ':schedule-names'
        if s[2] and s[2] ~= '' and redis.call('HGET', names, s[2]) == id then redis.call('HDEL', names, s[2]) end
        return 'ok'
        """;

    /// <summary>
    /// The leader claims one tick. ARGV: prefix, id, expected next ms, following next ms, the
    /// tick's job id, leader epoch. Compare-and-set on the schedule's next run: only the pass that
    /// read <c>expected</c> moves it on, and in the same step the tick and its job id are recorded
    /// as pending, so a leader that dies before submitting leaves the tick to its successor, which
    /// submits the same job id. A schedule with a pending tick claims no further one.
    /// Returns 'claimed', 'stale', 'pending', 'paused' or 'missing', or the error NOTLEADER.
    /// </summary>
    public static readonly string Claim = JobScripts.Common + """
        local id, expected, following, job = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
        if not leads(ARGV[6]) then return redis.error_reply('NOTLEADER') end
        local key = P .. 'schedule:' .. id
        local s = redis.call('HMGET', key, 'paused', 'next', 'pendingJob')
        if not s[2] then
          redis.call('ZREM', P .. 'schedules:due', id)
          return 'missing'
        end
        if s[1] == '1' then
          redis.call('ZREM', P .. 'schedules:due', id)
          return 'paused'
        end
        if s[2] ~= expected then return 'stale' end
        if s[3] then return 'pending' end
        redis.call('HSET', key, 'next', following, 'lastTick', expected, 'lastJob', job, 'pendingTick', expected, 'pendingJob', job)
        redis.call('ZADD', P .. 'schedules:due', following, id)
        redis.call('SADD', P .. 'schedules:pending', id)
        return 'claimed'
        """;

    /// <summary>ARGV: prefix, id, job id. The pending tick whose job is that id has its job recorded: it is no longer pending.</summary>
    public static readonly string TickDone = """
        local P, id, job = ARGV[1], ARGV[2], ARGV[3]
        local key = P .. 'schedule:' .. id
        local pending = redis.call('HGET', key, 'pendingJob')
        if pending == job then redis.call('HDEL', key, 'pendingJob', 'pendingTick') end
        if not pending or pending == job then redis.call('SREM', P .. 'schedules:pending', id) end
        return 'ok'
        """;
}
