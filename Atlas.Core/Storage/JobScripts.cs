namespace Atlas.Core.Storage;

/// <summary>
/// The Lua scripts that make every state change one atomic step, timed by Redis's own clock.
/// ARGV[1] is always the key prefix (<see cref="RedisKeys.Prefix"/>). Scripts build key names
/// from it, which is fine on a single Redis (not Redis Cluster).
/// Each transition appends <c>{"state","at","node","reason"}</c> to the job's history.
/// </summary>
internal static class JobScripts
{
    private const string Common = """
        local P = ARGV[1]
        local function now_ms()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        local function record(id, state, at, node, reason)
          local entry = { state = state, at = at }
          if node and node ~= '' then entry.node = node end
          if reason and reason ~= '' then entry.reason = reason end
          redis.call('RPUSH', P .. 'job:' .. id .. ':history', cjson.encode(entry))
        end
        local function terminal(state)
          return state == 'succeeded' or state == 'failed' or state == 'cancelled'
        end
        -- Ends an assignment on its node: frees the slot, forgets the lease and the route.
        local function release(id, node)
          if node and node ~= '' then
            redis.call('SREM', P .. 'node:' .. node .. ':jobs', id)
            redis.call('LREM', P .. 'node:' .. node .. ':inbox', 0, id)
          end
          redis.call('ZREM', P .. 'leases', id)
          redis.call('DEL', P .. 'route:' .. id)
        end
        -- The master's writes are fenced by its leadership epoch: a master that lost the lead
        -- (paused, partitioned) cannot place or reap any more.
        local function leads(epoch)
          local current = redis.call('GET', P .. 'leader')
          return current ~= false and string.match(current, '|(%d+)$') == epoch
        end

        """;

    /// <summary>
    /// ARGV: prefix, id, priority, then field/value pairs of the record. A record with an
    /// <c>owner</c> also joins that owner's index. Returns the submit time in ms.
    /// </summary>
    public const string Submit = Common + """
        local id = ARGV[2]
        local key = P .. 'job:' .. id
        if redis.call('EXISTS', key) == 1 then return redis.error_reply('EXISTS') end
        local now = now_ms()
        local fields = { 'id', id, 'state', 'queued', 'attempt', 1, 'fence', 0, 'submitted', now }
        for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
        redis.call('HSET', key, unpack(fields))
        redis.call('ZADD', P .. 'jobs', now, id)
        local owner = redis.call('HGET', key, 'owner')
        if owner then redis.call('ZADD', P .. 'owner:' .. owner .. ':jobs', now, id) end
        redis.call('ZADD', P .. 'queue', -tonumber(ARGV[3]), id)
        record(id, 'queued', now)
        redis.call('PUBLISH', P .. 'events', 'submit')
        return now
        """;

    /// <summary>
    /// Places queued jobs on ready, live nodes: priority, then submit time; each on the node with
    /// the most free slots. ARGV: prefix, max jobs, lease ms, leader epoch. Returns a flat list
    /// id, node, fence, attempt, trace ('' for none) per placed job, or the error NOTLEADER.
    /// </summary>
    public const string Place = Common + """
        local limit = tonumber(ARGV[2])
        local lease = tonumber(ARGV[3])
        if not leads(ARGV[4]) then return redis.error_reply('NOTLEADER') end
        local candidates = {}
        for _, name in ipairs(redis.call('SMEMBERS', P .. 'nodes')) do
          local nkey = P .. 'node:' .. name
          local n = redis.call('HMGET', nkey, 'state', 'slots', 'address')
          if n[1] == 'ready' and redis.call('EXISTS', nkey .. ':alive') == 1 then
            local free = tonumber(n[2]) - redis.call('SCARD', nkey .. ':jobs')
            if free > 0 then candidates[#candidates + 1] = { name = name, free = free, address = n[3] } end
          end
        end
        if #candidates == 0 then return {} end
        local queued = redis.call('ZRANGE', P .. 'queue', 0, limit - 1)
        local placed = {}
        local woken = {}
        local now = nil
        for _, id in ipairs(queued) do
          local best = nil
          for _, c in ipairs(candidates) do
            if c.free > 0 and (best == nil or c.free > best.free or (c.free == best.free and c.name < best.name)) then best = c end
          end
          if best == nil then break end
          now = now or now_ms()
          local key = P .. 'job:' .. id
          redis.call('ZREM', P .. 'queue', id)
          if redis.call('HGET', key, 'state') == 'queued' then
            local fence = redis.call('INCR', P .. 'fence')
            redis.call('HSET', key, 'state', 'assigned', 'node', best.name, 'fence', fence, 'assigned', now)
            redis.call('SADD', P .. 'node:' .. best.name .. ':jobs', id)
            redis.call('RPUSH', P .. 'node:' .. best.name .. ':inbox', id)
            redis.call('ZADD', P .. 'leases', now + lease, id)
            redis.call('SET', P .. 'route:' .. id, best.address)
            record(id, 'assigned', now, best.name)
            best.free = best.free - 1
            local more = redis.call('HMGET', key, 'attempt', 'trace')
            placed[#placed + 1] = id
            placed[#placed + 1] = best.name
            placed[#placed + 1] = fence
            placed[#placed + 1] = more[1] or '1'
            placed[#placed + 1] = more[2] or ''
            woken[best.name] = true
          end
        end
        for name, _ in pairs(woken) do redis.call('PUBLISH', P .. 'node:' .. name .. ':wake', 'assign') end
        return placed
        """;

    /// <summary>
    /// A worker starts an assigned job. ARGV: prefix, id, node, fence, lease ms.
    /// Returns 'started', 'cancelled' (a stop came first; the job is now cancelled), or 'stale:STATE'.
    /// </summary>
    public const string Start = Common + """
        local id, node, fence, lease = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
        local key = P .. 'job:' .. id
        local j = redis.call('HMGET', key, 'state', 'node', 'fence', 'stop')
        if j[1] ~= 'assigned' or j[2] ~= node or j[3] ~= fence then
          redis.call('LREM', P .. 'node:' .. node .. ':inbox', 0, id)
          return 'stale:' .. tostring(j[1])
        end
        local now = now_ms()
        if j[4] == '1' then
          redis.call('HSET', key, 'state', 'cancelled', 'finished', now, 'reason', 'stopped before it started')
          release(id, node)
          record(id, 'cancelled', now, node, 'stopped before it started')
          redis.call('PUBLISH', P .. 'events', 'freed')
          return 'cancelled'
        end
        redis.call('HSET', key, 'state', 'running', 'started', now)
        redis.call('LREM', P .. 'node:' .. node .. ':inbox', 0, id)
        redis.call('ZADD', P .. 'leases', now + lease, id)
        record(id, 'running', now, node)
        return 'started'
        """;

    /// <summary>
    /// A worker starts everything assigned to it in one step. ARGV: prefix, node, lease ms.
    /// Returns, for each job now running under this node, its id and its record (HGETALL's
    /// field/value list). Jobs stopped before they started become cancelled; stale entries leave
    /// the inbox.
    /// </summary>
    public const string StartAssigned = Common + """
        local node, lease = ARGV[2], tonumber(ARGV[3])
        local inbox = P .. 'node:' .. node .. ':inbox'
        local started = {}
        local now = nil
        for _, id in ipairs(redis.call('LRANGE', inbox, 0, -1)) do
          local key = P .. 'job:' .. id
          local j = redis.call('HMGET', key, 'state', 'node', 'stop')
          redis.call('LREM', inbox, 0, id)
          if j[1] == 'assigned' and j[2] == node then
            now = now or now_ms()
            if j[3] == '1' then
              redis.call('HSET', key, 'state', 'cancelled', 'finished', now, 'reason', 'stopped before it started')
              release(id, node)
              record(id, 'cancelled', now, node, 'stopped before it started')
              redis.call('PUBLISH', P .. 'events', 'freed')
            else
              redis.call('HSET', key, 'state', 'running', 'started', now)
              redis.call('ZADD', P .. 'leases', now + lease, id)
              record(id, 'running', now, node)
              started[#started + 1] = id
              started[#started + 1] = redis.call('HGETALL', key)
            end
          end
        end
        return started
        """;

    /// <summary>
    /// A worker's heartbeat: keeps the node alive and renews the leases it still holds.
    /// ARGV: prefix, node, alive ms, lease ms, then id, fence pairs. Returns the ids whose fence is stale.
    /// </summary>
    public const string Heartbeat = Common + """
        local node, alive, lease = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
        local nkey = P .. 'node:' .. node
        local now = now_ms()
        redis.call('SET', nkey .. ':alive', '1', 'PX', alive)
        redis.call('HSET', nkey, 'seen', now)
        if redis.call('HGET', nkey, 'state') == 'down' then redis.call('HSET', nkey, 'state', 'ready') end
        local stale = {}
        for i = 5, #ARGV, 2 do
          local id, fence = ARGV[i], ARGV[i + 1]
          local j = redis.call('HMGET', P .. 'job:' .. id, 'state', 'node', 'fence')
          if (j[1] == 'assigned' or j[1] == 'running') and j[2] == node and j[3] == fence then
            redis.call('ZADD', P .. 'leases', 'XX', now + lease, id)
          else
            stale[#stale + 1] = id
          end
        end
        return stale
        """;

    /// <summary>
    /// A worker records how a job ended. ARGV: prefix, id, node, fence, state, exit code ('' for none), reason.
    /// Returns 'done', 'stale' (the token is old: someone else owns the job now) or 'terminal' (already ended).
    /// </summary>
    public const string Complete = Common + """
        local id, node, fence, state, exit, reason = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
        local key = P .. 'job:' .. id
        local j = redis.call('HMGET', key, 'state', 'node', 'fence')
        if j[1] == false then return 'stale' end
        if terminal(j[1]) then return 'terminal' end
        if j[2] ~= node or j[3] ~= fence or (j[1] ~= 'running' and j[1] ~= 'assigned') then return 'stale' end
        local now = now_ms()
        redis.call('HSET', key, 'state', state, 'finished', now)
        if exit ~= '' then redis.call('HSET', key, 'exit', exit) end
        if reason ~= '' then redis.call('HSET', key, 'reason', reason) end
        release(id, node)
        record(id, state, now, node, reason)
        redis.call('PUBLISH', P .. 'events', 'freed')
        return 'done'
        """;

    /// <summary>
    /// A draining worker hands back a job it holds: queued again with attempt + 1 (not failed).
    /// ARGV: prefix, id, node, fence, reason. Returns 'requeued', 'cancelled' (a stop was asked
    /// for: it ends instead), or 'stale'.
    /// </summary>
    public const string Requeue = Common + """
        local id, node, fence, reason = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
        local key = P .. 'job:' .. id
        local j = redis.call('HMGET', key, 'state', 'node', 'fence', 'attempt', 'stop', 'priority')
        if (j[1] ~= 'assigned' and j[1] ~= 'running') or j[2] ~= node or j[3] ~= fence then return 'stale' end
        local now = now_ms()
        release(id, node)
        if j[5] == '1' then
          redis.call('HSET', key, 'state', 'cancelled', 'finished', now, 'reason', 'stopped by user')
          record(id, 'cancelled', now, node, 'stopped by user')
          redis.call('PUBLISH', P .. 'events', 'freed')
          return 'cancelled'
        end
        local attempt = tonumber(j[4])
        if j[1] == 'running' then attempt = attempt + 1 end
        redis.call('HSET', key, 'state', 'queued', 'attempt', attempt, 'fence', 0)
        redis.call('HDEL', key, 'started')
        redis.call('ZADD', P .. 'queue', -tonumber(j[6] or '0'), id)
        record(id, 'queued', now, node, reason)
        redis.call('PUBLISH', P .. 'events', 'freed')
        return 'requeued'
        """;

    /// <summary>
    /// Asks a job to stop. ARGV: prefix, id. A queued job is cancelled at once ('cancelled'); an
    /// assigned or running one is flagged and its node woken ('stopping:NODE'); otherwise 'terminal:STATE' or 'missing'.
    /// </summary>
    public const string Stop = Common + """
        local id = ARGV[2]
        local key = P .. 'job:' .. id
        local j = redis.call('HMGET', key, 'state', 'node')
        if j[1] == false then return 'missing' end
        if terminal(j[1]) then return 'terminal:' .. j[1] end
        local now = now_ms()
        if j[1] == 'queued' or j[1] == 'lost' then
          redis.call('ZREM', P .. 'queue', id)
          redis.call('HSET', key, 'state', 'cancelled', 'finished', now, 'reason', 'stopped by user')
          record(id, 'cancelled', now, nil, 'stopped by user')
          return 'cancelled'
        end
        redis.call('HSET', key, 'stop', '1')
        redis.call('PUBLISH', P .. 'node:' .. j[2] .. ':wake', 'stop:' .. id)
        return 'stopping:' .. j[2]
        """;

    /// <summary>
    /// Judges expired leases and silent nodes on Redis's clock. An expired job becomes lost, then
    /// queued again with attempt + 1, or failed after max attempts. ARGV: prefix, max jobs, max attempts,
    /// leader epoch. Returns the number of jobs requeued or failed, or the error NOTLEADER.
    /// </summary>
    public const string Reap = Common + """
        local limit, max_attempts = tonumber(ARGV[2]), tonumber(ARGV[3])
        if not leads(ARGV[4]) then return redis.error_reply('NOTLEADER') end
        local now = now_ms()
        for _, name in ipairs(redis.call('SMEMBERS', P .. 'nodes')) do
          local nkey = P .. 'node:' .. name
          if redis.call('EXISTS', nkey .. ':alive') == 0 and redis.call('HGET', nkey, 'state') ~= 'down' then
            redis.call('HSET', nkey, 'state', 'down')
          end
        end
        local expired = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', now, 'LIMIT', 0, limit)
        for _, id in ipairs(expired) do
          local key = P .. 'job:' .. id
          local j = redis.call('HMGET', key, 'state', 'node', 'attempt', 'lostOn', 'stop')
          release(id, j[2])
          if j[1] == 'assigned' or j[1] == 'running' then
            local lost_on = j[4] and (j[4] .. ', ' .. j[2]) or j[2]
            redis.call('HSET', key, 'state', 'lost', 'lostOn', lost_on)
            record(id, 'lost', now, j[2], 'lease expired')
            local attempt = tonumber(j[3])
            if j[5] == '1' then
              redis.call('HSET', key, 'state', 'cancelled', 'finished', now, 'reason', 'stopped by user')
              record(id, 'cancelled', now, nil, 'stopped by user')
            elseif attempt >= max_attempts then
              local reason = 'lost on node ' .. lost_on
              redis.call('HSET', key, 'state', 'failed', 'finished', now, 'reason', reason)
              record(id, 'failed', now, nil, reason)
            else
              redis.call('HSET', key, 'state', 'queued', 'attempt', attempt + 1)
              redis.call('HDEL', key, 'started')
              redis.call('ZADD', P .. 'queue', -tonumber(redis.call('HGET', key, 'priority') or '0'), id)
              record(id, 'queued', now, nil, 'requeued after lease expiry')
            end
          end
        end
        if #expired > 0 then redis.call('PUBLISH', P .. 'events', 'freed') end
        return #expired
        """;

    /// <summary>
    /// Registers or refreshes a node. ARGV: prefix, name, address, runtime, slots, alive ms.
    /// Returns the ids of jobs this node held before (assigned or running) so a restarted worker can settle them.
    /// </summary>
    public const string Register = Common + """
        local name, address, runtime, slots, alive = ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
        local nkey = P .. 'node:' .. name
        local now = now_ms()
        redis.call('SADD', P .. 'nodes', name)
        redis.call('HSET', nkey, 'name', name, 'address', address, 'runtime', runtime, 'slots', slots, 'state', 'ready', 'seen', now)
        redis.call('SET', nkey .. ':alive', '1', 'PX', alive)
        redis.call('PUBLISH', P .. 'events', 'node')
        return redis.call('SMEMBERS', nkey .. ':jobs')
        """;

    /// <summary>Marks a node draining (takes no new work) or down. ARGV: prefix, name, state.</summary>
    public const string SetNodeState = Common + """
        local nkey = P .. 'node:' .. ARGV[2]
        if redis.call('EXISTS', nkey) == 0 then return 0 end
        redis.call('HSET', nkey, 'state', ARGV[3])
        if ARGV[3] == 'down' then redis.call('DEL', nkey .. ':alive') end
        return 1
        """;

    /// <summary>
    /// Takes or renews the leader lease. ARGV: prefix, master id, lease ms. Returns this master's
    /// epoch while it leads (renewing the lease), or 0 when another master holds it.
    /// </summary>
    public const string Lead = Common + """
        local key = P .. 'leader'
        local current = redis.call('GET', key)
        if current then
          local owner, epoch = string.match(current, '^(.*)|(%d+)$')
          if owner == ARGV[2] then
            redis.call('PEXPIRE', key, ARGV[3])
            return tonumber(epoch)
          end
          return 0
        end
        local epoch = redis.call('INCR', P .. 'leader:epoch')
        redis.call('SET', key, ARGV[2] .. '|' .. epoch, 'PX', ARGV[3])
        return epoch
        """;

    /// <summary>Gives up the leader lease if this master holds it, so a standby takes over at once. ARGV: prefix, master id.</summary>
    public const string Resign = Common + """
        local key = P .. 'leader'
        local current = redis.call('GET', key)
        if current and string.match(current, '^(.*)|%d+$') == ARGV[2] then redis.call('DEL', key) return 1 end
        return 0
        """;

    /// <summary>
    /// The queue's length and where one owner's queued jobs stand in it. It walks whichever is
    /// smaller, the owner's index (every job they ever submitted, most long finished) or the
    /// queue, so neither a long history nor a long queue makes it slow. ARGV: prefix, owner.
    /// Returns total, then id, 0-based rank pairs.
    /// </summary>
    public const string QueuePositions = Common + """
        local queue = P .. 'queue'
        local mine = P .. 'owner:' .. ARGV[2] .. ':jobs'
        local total = redis.call('ZCARD', queue)
        local result = { total }
        if redis.call('ZCARD', mine) <= total then
          for _, id in ipairs(redis.call('ZRANGE', mine, 0, -1)) do
            local rank = redis.call('ZRANK', queue, id)
            if rank then
              result[#result + 1] = id
              result[#result + 1] = rank
            end
          end
        else
          for i, id in ipairs(redis.call('ZRANGE', queue, 0, -1)) do
            if redis.call('ZSCORE', mine, id) then
              result[#result + 1] = id
              result[#result + 1] = i - 1
            end
          end
        end
        return result
        """;

    /// <summary>Deletes a finished job's records. ARGV: prefix, id. Returns 'deleted', 'missing' or 'active:STATE'.</summary>
    public const string Delete = Common + """
        local id = ARGV[2]
        local key = P .. 'job:' .. id
        local state = redis.call('HGET', key, 'state')
        if state == false then return 'missing' end
        if not terminal(state) then return 'active:' .. state end
        local owner = redis.call('HGET', key, 'owner')
        if owner then redis.call('ZREM', P .. 'owner:' .. owner .. ':jobs', id) end
        redis.call('DEL', key, key .. ':history', P .. 'route:' .. id)
        redis.call('ZREM', P .. 'jobs', id)
        return 'deleted'
        """;
}
