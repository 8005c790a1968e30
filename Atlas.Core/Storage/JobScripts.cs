using System.Text;
using Atlas.Core.Jobs;

namespace Atlas.Core.Storage;

/// <summary>
/// The Lua scripts that make every state change one atomic step, timed by Redis's own clock.
/// ARGV[1] is always the key prefix (<see cref="RedisKeys.Prefix"/>). Scripts build key names
/// from it, which is fine on a single Redis (not Redis Cluster).
/// Every state change goes through <c>move</c>, which checks it against a table generated from
/// <see cref="JobStateMachine.Transitions"/> and appends <c>{"state","at","node","reason"}</c> to
/// the job's history. Worker writes compare the job's node and fencing token first.
/// </summary>
internal static class JobScripts
{
    /// <summary>The functions every script starts with; tests run their own checks on top of it.</summary>
    internal static readonly string Common = $$"""
        local P = ARGV[1]
        -- Generated from JobStateMachine.Transitions: from -> { to = true }.
        local ALLOWED = {{AllowedTable()}}
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
        local function on_node(state)
          return state == 'assigned' or state == 'starting' or state == 'running'
        end
        local function can(from, to)
          local next = ALLOWED[from or '']
          return next ~= nil and next[to] == true
        end
        -- The one way a state changes. Scripts check their expected states before they write,
        -- so a refusal here is a bug in a script: it raises rather than write a move the table forbids.
        local function move(key, id, from, to, now, node, reason)
          if not can(from, to) then
            error('atlas: transition ' .. tostring(from) .. ' -> ' .. to .. ' of job ' .. id .. ' is not in the table')
          end
          redis.call('HSET', key, 'state', to)
          record(id, to, now, node, reason)
        end
        -- An inbox entry is 'id:fence', so a stale entry can never claim a later assignment.
        local function entry(id, fence) return id .. ':' .. tostring(fence) end
        -- Ends an assignment on its node: frees the slot, forgets the lease and the route.
        local function release(id, node, fence)
          if node and node ~= '' then
            redis.call('SREM', P .. 'node:' .. node .. ':jobs', id)
            if fence then redis.call('LREM', P .. 'node:' .. node .. ':inbox', 0, entry(id, fence)) end
          end
          redis.call('ZREM', P .. 'leases', id)
          redis.call('DEL', P .. 'route:' .. id)
          local group = redis.call('HGET', P .. 'job:' .. id, 'group')
          if group then redis.call('SREM', P .. 'group:' .. group .. ':active', id) end
        end
        -- Defined after enqueue, below (submission's dependencies).
        local settle_dependents
        -- Ends a job (succeeded, failed, cancelled) and records why: the shared end of every script.
        local function finish(key, id, from, to, now, node, fence, reason)
          move(key, id, from, to, now, node, reason)
          redis.call('HSET', key, 'finished', now)
          if reason and reason ~= '' then redis.call('HSET', key, 'reason', reason) end
          release(id, node, fence)
          settle_dependents(id, to, now)
          redis.call('PUBLISH', P .. 'events', 'freed')
        end
        -- The queue: every script adds and removes waiting jobs through these two, so the queue's
        -- shape (its keys and scores) is decided here alone.
        -- A job is in the queue of all jobs (its length and positions) and in its owner's own queue
        -- (so placement reads every owner's head without reading anyone's whole backlog), scored
        -- alike: priority first (higher first), then 'order' (default the submit time, lower first).
        local function queue_score(key)
          local f = redis.call('HMGET', key, 'priority', 'order', 'submitted')
          return string.format('%.0f', (100 - (tonumber(f[1]) or 0)) * 1e13 + (tonumber(f[2]) or tonumber(f[3]) or 0))
        end
        local function enqueue(key, id)
          local score = queue_score(key)
          local owner = redis.call('HGET', key, 'owner') or '-'
          redis.call('ZADD', P .. 'queue', score, id)
          redis.call('ZADD', P .. 'queue:owner:' .. owner, score, id)
          redis.call('SADD', P .. 'queue:owners', owner)
        end
        local function dequeue(id)
          local owner = redis.call('HGET', P .. 'job:' .. id, 'owner') or '-'
          local mine = P .. 'queue:owner:' .. owner
          redis.call('ZREM', P .. 'queue', id)
          redis.call('ZREM', mine, id)
          if redis.call('ZCARD', mine) == 0 then redis.call('SREM', P .. 'queue:owners', owner) end
        end
        -- Dependencies (submission). Why a dependent of --after cannot run once its dependency ended otherwise.
        local function dependency_reason(dep, state)
          if state == 'cancelled' then return 'dependency ' .. dep .. ' was cancelled' end
          return 'dependency ' .. dep .. ' ' .. state
        end
        -- A job ended: each job waiting on it (the reverse index job:{id}:dependents) drops it from
        -- waitingFor. One whose --after dependency did not succeed ends cancelled with the reason,
        -- and so in turn do its own dependents: a worklist, not recursion, and each held job ends at
        -- most once, so the cascade is bounded by the number of jobs waiting. One left waiting for
        -- nothing joins the queue.
        settle_dependents = function(first, first_state, now)
          redis.call('SREM', P .. 'held', first)
          local work, i, woken = { { first, first_state } }, 1, false
          while i <= #work do
            local done, done_state = work[i][1], work[i][2]
            i = i + 1
            local rkey = P .. 'job:' .. done .. ':dependents'
            for _, dep in ipairs(redis.call('SMEMBERS', rkey)) do
              local dkey = P .. 'job:' .. dep
              local d = redis.call('HMGET', dkey, 'state', 'waitingFor', 'after')
              if d[1] == 'queued' and d[2] then
                local pending = {}
                for w in string.gmatch(d[2], '[^,]+') do if w ~= done then pending[#pending + 1] = w end end
                local hard = string.find(',' .. (d[3] or '') .. ',', ',' .. done .. ',', 1, true) ~= nil
                if hard and done_state ~= 'succeeded' then
                  local why = dependency_reason(done, done_state)
                  move(dkey, dep, 'queued', 'cancelled', now, nil, why)
                  redis.call('HSET', dkey, 'finished', now, 'reason', why)
                  redis.call('HDEL', dkey, 'waitingFor')
                  redis.call('SREM', P .. 'held', dep)
                  work[#work + 1] = { dep, 'cancelled' }
                elseif #pending == 0 then
                  redis.call('HDEL', dkey, 'waitingFor')
                  redis.call('SREM', P .. 'held', dep)
                  enqueue(dkey, dep)
                  woken = true
                else
                  redis.call('HSET', dkey, 'waitingFor', table.concat(pending, ','))
                end
              end
            end
            redis.call('DEL', rkey)
          end
          if woken then redis.call('PUBLISH', P .. 'events', 'submit') end
        end
        -- Puts a job back in the queue under no token.
        local function requeue(key, id, from, now, node, reason, attempt)
          move(key, id, from, 'queued', now, node, reason)
          redis.call('HSET', key, 'attempt', attempt, 'fence', 0)
          redis.call('HDEL', key, 'claimed', 'started', 'gpuIds')
          enqueue(key, id)
        end
        -- The master's writes are fenced by its leadership epoch: a master that lost the lead
        -- (paused, partitioned) cannot place or reap any more.
        local function leads(epoch)
          local current = redis.call('GET', P .. 'leader')
          return current ~= false and string.match(current, '|(%d+)$') == epoch
        end

        """;

    /// <summary>
    /// What both submits share (submission's dependencies): checking that every dependency is an
    /// existing job of the same owner, and admitting a recorded job: held out of the queue (in
    /// <c>held</c>, with <c>waitingFor</c>) while a dependency runs, cancelled at once when an
    /// <c>after</c> dependency already failed or was cancelled, queued otherwise.
    /// </summary>
    private const string Admission = """
        local function split(text)
          local items = {}
          if text then for w in string.gmatch(text, '[^,]+') do items[#items + 1] = w end end
          return items
        end
        -- The first id that is no job of this owner (unknown, or another user's), or nil.
        local function refused_dependency(owner, ids)
          for _, d in ipairs(ids) do
            local o = redis.call('HMGET', P .. 'job:' .. d, 'state', 'owner')
            if o[1] == false or (o[2] or '') ~= owner then return d end
          end
          return nil
        end
        local function admit(key, id, after, after_any, now)
          local pending, seen, failed = {}, {}, nil
          for n, d in ipairs(after) do
            local s = redis.call('HGET', P .. 'job:' .. d, 'state')
            if terminal(s) then
              if s ~= 'succeeded' and failed == nil then failed = dependency_reason(d, s) end
            elseif not seen[d] then seen[d] = true pending[#pending + 1] = d end
          end
          for _, d in ipairs(after_any) do
            local s = redis.call('HGET', P .. 'job:' .. d, 'state')
            if not terminal(s) and not seen[d] then seen[d] = true pending[#pending + 1] = d end
          end
          if failed then
            finish(key, id, 'queued', 'cancelled', now, nil, nil, failed)
          elseif #pending == 0 then
            enqueue(key, id)
          else
            redis.call('HSET', key, 'waitingFor', table.concat(pending, ','))
            redis.call('SADD', P .. 'held', id)
            for _, d in ipairs(pending) do redis.call('SADD', P .. 'job:' .. d .. ':dependents', id) end
          end
        end

        """;

    /// <summary>
    /// ARGV: prefix, id, priority, idempotency key ('' for none), its lifetime in ms, then
    /// field/value pairs of the record. A record with an <c>owner</c> also joins that owner's
    /// index. Returns { 'new', submit time in ms }, or { 'replay', id } when the idempotency key
    /// already names a job.
    /// </summary>
    public static readonly string Submit = Common + Admission + """
        local id, idem = ARGV[2], ARGV[4]
        if idem ~= '' then
          local existing = redis.call('GET', idem)
          if existing then return { 'replay', existing } end
        end
        local key = P .. 'job:' .. id
        if redis.call('EXISTS', key) == 1 then return redis.error_reply('EXISTS') end
        -- Dependencies are checked in the same step as the write, so one deleted in between cannot slip through.
        local rec = {}
        for i = 6, #ARGV - 1, 2 do rec[ARGV[i]] = ARGV[i + 1] end
        local after, after_any = split(rec['after']), split(rec['afterAny'])
        local bad = refused_dependency(rec['owner'] or '', after) or refused_dependency(rec['owner'] or '', after_any)
        if bad then return { 'dependency', bad } end
        local now = now_ms()
        local fields = { 'id', id, 'state', 'queued', 'attempt', 1, 'fence', 0, 'submitted', now }
        for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
        if idem ~= '' then
          fields[#fields + 1] = 'idem'
          fields[#fields + 1] = idem
          redis.call('SET', idem, id, 'PX', ARGV[5])
        end
        redis.call('HSET', key, unpack(fields))
        redis.call('ZADD', P .. 'jobs', now, id)
        local owner = redis.call('HGET', key, 'owner')
        if owner then redis.call('ZADD', P .. 'owner:' .. owner .. ':jobs', now, id) end
        record(id, 'queued', now)
        admit(key, id, after, after_any, now)
        redis.call('PUBLISH', P .. 'events', 'submit')
        return { 'new', now }
        """;

    /// <summary>
    /// Records a whole group (a sweep or an array) in one step: every job or none. ARGV: prefix,
    /// group id, idempotency key ('' for none), its lifetime in ms, the group's fields (a JSON
    /// array of field, value), the ids every job must see succeed (comma list), the ids every job
    /// waits to end, then one (id, JSON array of field, value) pair per job. Everything that could
    /// refuse is checked before the first write: the ids are new, the dependencies are the
    /// owner's, and every key it writes holds the type it writes (a wrong-typed key would fail a
    /// write midway, and Redis does not undo a script's earlier writes). Returns { 'new', time },
    /// { 'replay', group id }, { 'dependency', id }, { 'exists', id } or { 'corrupt', key }.
    /// </summary>
    public static readonly string SubmitGroup = Common + Admission + """
        local gid, idem, window = ARGV[2], ARGV[3], ARGV[4]
        if idem ~= '' then
          local existing = redis.call('GET', idem)
          if existing then return { 'replay', existing } end
        end
        local gkey = P .. 'group:' .. gid
        if redis.call('EXISTS', gkey) == 1 then return { 'exists', gid } end
        local gfields = cjson.decode(ARGV[5])
        local grec = {}
        for i = 1, #gfields - 1, 2 do grec[gfields[i]] = gfields[i + 1] end
        local owner = grec['owner'] or ''
        local after, after_any = split(ARGV[6]), split(ARGV[7])
        local bad = refused_dependency(owner, after) or refused_dependency(owner, after_any)
        if bad then return { 'dependency', bad } end
        local jobs = {}
        for i = 8, #ARGV - 1, 2 do
          local id = ARGV[i]
          if redis.call('EXISTS', P .. 'job:' .. id) == 1 then return { 'exists', id } end
          jobs[#jobs + 1] = { id, cjson.decode(ARGV[i + 1]) }
        end
        local typed = { { P .. 'jobs', 'zset' }, { P .. 'queue', 'zset' }, { P .. 'held', 'set' },
          { P .. 'owner:' .. owner .. ':jobs', 'zset' }, { gkey .. ':jobs', 'zset' } }
        for _, d in ipairs(after) do typed[#typed + 1] = { P .. 'job:' .. d .. ':dependents', 'set' } end
        for _, d in ipairs(after_any) do typed[#typed + 1] = { P .. 'job:' .. d .. ':dependents', 'set' } end
        for _, t in ipairs(typed) do
          local kind = redis.call('TYPE', t[1])['ok']
          if kind ~= 'none' and kind ~= t[2] then return { 'corrupt', t[1] } end
        end
        local now = now_ms()
        redis.call('HSET', gkey, 'id', gid, 'total', #jobs, 'createdAt', now, unpack(gfields))
        for n, job in ipairs(jobs) do
          local id = job[1]
          local key = P .. 'job:' .. id
          redis.call('HSET', key, 'id', id, 'state', 'queued', 'attempt', 1, 'fence', 0, 'submitted', now, 'group', gid, unpack(job[2]))
          redis.call('ZADD', P .. 'jobs', now, id)
          if owner ~= '' then redis.call('ZADD', P .. 'owner:' .. owner .. ':jobs', now, id) end
          redis.call('ZADD', gkey .. ':jobs', n, id)
          record(id, 'queued', now)
          admit(key, id, after, after_any, now)
        end
        if idem ~= '' then redis.call('SET', idem, gid, 'PX', window) end
        redis.call('PUBLISH', P .. 'events', 'submit')
        return { 'new', now }
        """;

    /// <summary>
    /// Stops every job of a group that has not ended, in one step, as <see cref="Stop"/> does each.
    /// ARGV: prefix, group id. Returns { cancelled, stopping, already ended }, or 'missing'.
    /// </summary>
    public static readonly string StopGroup = Common + """
        local gkey = P .. 'group:' .. ARGV[2]
        if redis.call('EXISTS', gkey) == 0 then return 'missing' end
        local cancelled, stopping, ended = 0, 0, 0
        local now = now_ms()
        local woken = {}
        for _, id in ipairs(redis.call('ZRANGE', gkey .. ':jobs', 0, -1)) do
          local key = P .. 'job:' .. id
          local j = redis.call('HMGET', key, 'state', 'node')
          if j[1] == false or terminal(j[1]) then
            ended = ended + 1
          elseif j[1] == 'queued' then
            dequeue(id)
            finish(key, id, j[1], 'cancelled', now, nil, nil, 'stopped by user')
            cancelled = cancelled + 1
          else
            redis.call('HSET', key, 'stop', '1')
            woken[#woken + 1] = { j[2], id }
            stopping = stopping + 1
          end
        end
        for _, w in ipairs(woken) do redis.call('PUBLISH', P .. 'node:' .. w[1] .. ':wake', 'stop:' .. w[2]) end
        return { cancelled, stopping, ended }
        """;

    /// <summary>
    /// Applies one placement pass decided from a snapshot (<c>PlacementPolicy</c>), fenced by the
    /// leader's epoch. Each decision is checked again here, atomically: the job is still queued and
    /// in the queue, the node is ready and alive, and it still has a free slot, the exact GPU ids
    /// free, and the CPU and memory; the group is under its limit. A decision that no longer holds
    /// is refused, nothing else changes for it. The pass's usage, wait reasons and reservation are
    /// written with it. ARGV: prefix, lease ms, leader epoch, plan JSON
    /// <c>{"decisions":[{"id","node","gpus":[ids]}],"reasons":{id:text},"usage":{owner:value},"usageAt":ms,"reserved":id|"","reasonsTtl":ms}</c>.
    /// Returns { placed (id, node, fence, attempt, trace per job), refused ids }, or the error NOTLEADER.
    /// </summary>
    public static readonly string ApplyPlacement = Common + """
        local lease = tonumber(ARGV[2])
        if not leads(ARGV[3]) then return redis.error_reply('NOTLEADER') end
        local plan = cjson.decode(ARGV[4])
        -- HSET in chunks: unpack has a limit on how many values it spreads.
        local function hset(key, values)
          for i = 1, #values, 1000 do
            redis.call('HSET', key, unpack(values, i, math.min(i + 999, #values)))
          end
        end
        local usage_key = P .. 'usage'
        redis.call('DEL', usage_key)
        local usage = { '@at', string.format('%.0f', plan.usageAt) }
        for owner, value in pairs(plan.usage) do
          usage[#usage + 1] = owner
          usage[#usage + 1] = string.format('%.6f', value)
        end
        hset(usage_key, usage)
        if plan.reserved ~= '' then redis.call('SET', P .. 'reserved', plan.reserved) else redis.call('DEL', P .. 'reserved') end
        -- What each node holds now, read once per node a decision names.
        local loads = {}
        local function load(name)
          if loads[name] ~= nil then return loads[name] end
          local nkey = P .. 'node:' .. name
          local n = redis.call('HMGET', nkey, 'state', 'slots', 'address', 'gpus', 'cpuMillis', 'memoryBytes')
          local l = false
          if n[1] == 'ready' and redis.call('EXISTS', nkey .. ':alive') == 1 then
            l = { address = n[3], slots = tonumber(n[2]) or 0, gpus = {}, cpu = tonumber(n[5]), memory = tonumber(n[6]),
                  used = 0, cpuUsed = 0, memoryUsed = 0, gpusUsed = {} }
            for gpu in string.gmatch(n[4] or '', '[^,]+') do l.gpus[gpu] = true end
            for _, other in ipairs(redis.call('SMEMBERS', nkey .. ':jobs')) do
              local f = redis.call('HMGET', P .. 'job:' .. other, 'gpuIds', 'cpuMillis', 'memoryBytes')
              l.used = l.used + 1
              l.cpuUsed = l.cpuUsed + (tonumber(f[2]) or 0)
              l.memoryUsed = l.memoryUsed + (tonumber(f[3]) or 0)
              for gpu in string.gmatch(f[1] or '', '[^,]+') do l.gpusUsed[gpu] = true end
            end
          end
          loads[name] = l
          return l
        end
        local placed, refused = {}, {}
        local woken = {}
        local now = now_ms()
        for _, d in ipairs(plan.decisions) do
          local id, name = d.id, d.node
          local key = P .. 'job:' .. id
          local j = redis.call('HMGET', key, 'state', 'gpus', 'cpuMillis', 'memoryBytes', 'group', 'attempt', 'trace')
          local cpu, memory = tonumber(j[3]) or 0, tonumber(j[4]) or 0
          local ok = j[1] == 'queued' and redis.call('ZSCORE', P .. 'queue', id) ~= false
          local l = ok and load(name)
          ok = ok and l ~= false and l.used < l.slots and #d.gpus == (tonumber(j[2]) or 0)
            and (l.cpu == nil or l.cpuUsed + cpu <= l.cpu) and (l.memory == nil or l.memoryUsed + memory <= l.memory)
          if ok then
            for _, gpu in ipairs(d.gpus) do
              if not l.gpus[gpu] or l.gpusUsed[gpu] then ok = false end
            end
          end
          local active = j[5] and (P .. 'group:' .. j[5] .. ':active')
          if ok and active then
            local max = tonumber(redis.call('HGET', P .. 'group:' .. j[5], 'maxRunning') or '0') or 0
            if max > 0 and redis.call('SCARD', active) >= max then ok = false end
          end
          if ok then
            dequeue(id)
            local fence = redis.call('INCR', P .. 'fence')
            move(key, id, 'queued', 'assigned', now, name)
            redis.call('HSET', key, 'node', name, 'fence', fence, 'assigned', now)
            if #d.gpus > 0 then redis.call('HSET', key, 'gpuIds', table.concat(d.gpus, ',')) end
            redis.call('SADD', P .. 'node:' .. name .. ':jobs', id)
            redis.call('RPUSH', P .. 'node:' .. name .. ':inbox', entry(id, fence))
            redis.call('ZADD', P .. 'leases', now + lease, id)
            redis.call('SET', P .. 'route:' .. id, l.address)
            if active then redis.call('SADD', active, id) end
            l.used = l.used + 1
            l.cpuUsed = l.cpuUsed + cpu
            l.memoryUsed = l.memoryUsed + memory
            for _, gpu in ipairs(d.gpus) do l.gpusUsed[gpu] = true end
            placed[#placed + 1] = id
            placed[#placed + 1] = name
            placed[#placed + 1] = fence
            placed[#placed + 1] = j[6] or '1'
            placed[#placed + 1] = j[7] or ''
            woken[name] = true
          else
            refused[#refused + 1] = id
          end
        end
        local reasons = P .. 'reasons'
        redis.call('DEL', reasons)
        local texts = {}
        for id, text in pairs(plan.reasons) do
          texts[#texts + 1] = id
          texts[#texts + 1] = text
        end
        if #texts > 0 then
          hset(reasons, texts)
          redis.call('PEXPIRE', reasons, plan.reasonsTtl)
        end
        for name, _ in pairs(woken) do redis.call('PUBLISH', P .. 'node:' .. name .. ':wake', 'assign') end
        return { placed, refused }
        """;

    /// <summary>
    /// A worker takes the assignments it read from its inbox. ARGV: prefix, node, lease ms, then
    /// id, fence pairs. Each entry leaves the inbox; one whose job is still assigned to this node
    /// under that fence becomes starting (or cancelled, when a stop came first). Returns
    /// { claimed, stale }: claimed is id, record (HGETALL's field/value list) pairs; stale the ids refused.
    /// </summary>
    public static readonly string Claim = Common + """
        local node, lease = ARGV[2], tonumber(ARGV[3])
        local claimed, stale = {}, {}
        local now = now_ms()
        for i = 4, #ARGV, 2 do
          local id, fence = ARGV[i], ARGV[i + 1]
          local key = P .. 'job:' .. id
          redis.call('LREM', P .. 'node:' .. node .. ':inbox', 0, entry(id, fence))
          local j = redis.call('HMGET', key, 'state', 'node', 'fence', 'stop')
          if j[1] ~= 'assigned' or j[2] ~= node or j[3] ~= fence then
            stale[#stale + 1] = id
          elseif j[4] == '1' then
            finish(key, id, j[1], 'cancelled', now, node, fence, 'stopped before it started')
          else
            move(key, id, j[1], 'starting', now, node)
            redis.call('HSET', key, 'claimed', now)
            redis.call('ZADD', P .. 'leases', now + lease, id)
            claimed[#claimed + 1] = id
            claimed[#claimed + 1] = redis.call('HGETALL', key)
          end
        end
        return { claimed, stale }
        """;

    /// <summary>
    /// The job's process or container has started. ARGV: prefix, id, node, fence, lease ms.
    /// Returns the start time in ms, or 'stale:STATE' when the job is no longer this worker's starting job.
    /// </summary>
    public static readonly string Start = Common + """
        local id, node, fence, lease = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
        local key = P .. 'job:' .. id
        local j = redis.call('HMGET', key, 'state', 'node', 'fence')
        if j[1] ~= 'starting' or j[2] ~= node or j[3] ~= fence then return 'stale:' .. tostring(j[1]) end
        local now = now_ms()
        move(key, id, j[1], 'running', now, node)
        redis.call('HSET', key, 'started', now)
        redis.call('ZADD', P .. 'leases', 'XX', now + lease, id)
        return now
        """;

    /// <summary>
    /// A worker's heartbeat: keeps the node alive and renews the leases it still holds.
    /// ARGV: prefix, node, alive ms, lease ms, then id, fence pairs. Returns the ids whose fence is stale.
    /// </summary>
    public static readonly string Heartbeat = Common + """
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
          if on_node(j[1]) and j[2] == node and j[3] == fence then
            redis.call('ZADD', P .. 'leases', 'XX', now + lease, id)
          else
            stale[#stale + 1] = id
          end
        end
        return stale
        """;

    /// <summary>
    /// A worker records how a job ended. ARGV: prefix, id, node, fence, state, exit code ('' for none), reason.
    /// Returns 'done', 'retried' (a failure its retry policy covers: queued again as attempt + 1),
    /// 'stale' (the token is old: someone else owns the job now), 'terminal'
    /// (already ended) or 'refused:STATE' (the table forbids it, e.g. succeeding before the start was recorded).
    /// </summary>
    public static readonly string Complete = Common + """
        local id, node, fence, state, exit, reason = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
        local key = P .. 'job:' .. id
        local j = redis.call('HMGET', key, 'state', 'node', 'fence', 'stop')
        if j[1] == false then return 'stale' end
        if terminal(j[1]) then return 'terminal' end
        if j[2] ~= node or j[3] ~= fence or not on_node(j[1]) then return 'stale' end
        if not can(j[1], state) then return 'refused:' .. j[1] end
        local now = now_ms()
        -- Retries (--retries N --retry-on codes): a failure with a listed exit code (any non-zero
        -- one when none are listed; a time limit or out-of-memory end only when its code is listed)
        -- is a new attempt, not an end. 'retried' counts them apart from the lease losses that
        -- Reap's max attempts counts; 'failedOn' lists the node once per retried failure.
        if state == 'failed' and exit ~= '' and exit ~= '0' and j[4] ~= '1' then
          local r = redis.call('HMGET', key, 'retries', 'retried', 'retryOn', 'attempt', 'failedOn')
          local allowed, used = tonumber(r[1] or '0'), tonumber(r[2] or '0')
          local listed = r[3] ~= false and r[3] ~= ''
          local covered
          if listed then
            covered = string.find(',' .. r[3] .. ',', ',' .. exit .. ',', 1, true) ~= nil
          else
            covered = string.find(reason, 'time limit', 1, true) == nil and string.find(reason, 'out of memory', 1, true) == nil
          end
          if used < allowed and covered and can(j[1], 'queued') then
            local attempt = tonumber(r[4] or '1')
            local why = (reason ~= '' and reason or ('exited with code ' .. exit)) .. ' (attempt ' .. attempt
              .. ', exit code ' .. exit .. ', on ' .. node .. '); retry ' .. (used + 1) .. ' of ' .. allowed
            release(id, node, fence)
            redis.call('HSET', key, 'retried', used + 1, 'failedOn', (r[5] and r[5] ~= '') and (r[5] .. ',' .. node) or node)
            requeue(key, id, j[1], now, node, why, attempt + 1)
            redis.call('PUBLISH', P .. 'events', 'freed')
            return 'retried'
          end
        end
        if exit ~= '' then redis.call('HSET', key, 'exit', exit) end
        finish(key, id, j[1], state, now, node, fence, reason)
        return 'done'
        """;

    /// <summary>
    /// A worker hands back a job it holds (it drains, or it restarted): queued again, not failed;
    /// attempt + 1 once the job may have run (starting or running). ARGV: prefix, id, node, fence,
    /// reason. Returns 'requeued', 'cancelled' (a stop was asked for: it ends instead), or 'stale'.
    /// </summary>
    public static readonly string HandBack = Common + """
        local id, node, fence, reason = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
        local key = P .. 'job:' .. id
        local j = redis.call('HMGET', key, 'state', 'node', 'fence', 'attempt', 'stop')
        if not on_node(j[1]) or j[2] ~= node or j[3] ~= fence then return 'stale' end
        local now = now_ms()
        if j[5] == '1' then
          finish(key, id, j[1], 'cancelled', now, node, fence, 'stopped by user')
          return 'cancelled'
        end
        release(id, node, fence)
        local attempt = tonumber(j[4])
        if j[1] ~= 'assigned' then attempt = attempt + 1 end
        requeue(key, id, j[1], now, node, reason, attempt)
        redis.call('PUBLISH', P .. 'events', 'freed')
        return 'requeued'
        """;

    /// <summary>
    /// Asks a job to stop. ARGV: prefix, id. A queued job is cancelled at once ('cancelled'); one on
    /// a node is flagged and its node woken ('stopping:NODE'); otherwise 'terminal:STATE' or 'missing'.
    /// </summary>
    public static readonly string Stop = Common + """
        local id = ARGV[2]
        local key = P .. 'job:' .. id
        local j = redis.call('HMGET', key, 'state', 'node')
        if j[1] == false then return 'missing' end
        if terminal(j[1]) then return 'terminal:' .. j[1] end
        if j[1] == 'queued' then
          dequeue(id)
          finish(key, id, j[1], 'cancelled', now_ms(), nil, nil, 'stopped by user')
          return 'cancelled'
        end
        redis.call('HSET', key, 'stop', '1')
        redis.call('PUBLISH', P .. 'node:' .. j[2] .. ':wake', 'stop:' .. id)
        return 'stopping:' .. j[2]
        """;

    /// <summary>
    /// Changes a waiting job's priority and puts it back in the queue at its new place. ARGV:
    /// prefix, id, priority, top ('1': also make it first among its owner's waiting jobs). With
    /// top, the priority is raised to the highest of the owner's queued jobs (never lowered) and
    /// <c>order</c> set below all of theirs; that walks the owner's index once. A held job (waiting
    /// on dependencies) keeps its new priority and order for when it is released.
    /// Returns 'changed:PRIORITY', 'missing' or 'state:STATE' when the job is not queued.
    /// </summary>
    public static readonly string Reprioritize = Common + """
        local id, priority, top = ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1'
        local key = P .. 'job:' .. id
        local j = redis.call('HMGET', key, 'state', 'owner', 'priority', 'order', 'submitted')
        if j[1] == false then return 'missing' end
        if j[1] ~= 'queued' then return 'state:' .. j[1] end
        local order = nil
        if top then
          priority = tonumber(j[3] or '0')
          local mine = tonumber(j[4] or j[5] or '0')
          local lowest = nil
          if j[2] then
            for _, other in ipairs(redis.call('ZRANGE', P .. 'owner:' .. j[2] .. ':jobs', 0, -1)) do
              if other ~= id then
                local o = redis.call('HMGET', P .. 'job:' .. other, 'state', 'priority', 'order', 'submitted')
                if o[1] == 'queued' then
                  priority = math.max(priority, tonumber(o[2] or '0'))
                  local theirs = tonumber(o[3] or o[4] or '0')
                  if lowest == nil or theirs < lowest then lowest = theirs end
                end
              end
            end
          end
          order = mine
          if lowest ~= nil and lowest <= mine then order = lowest - 1 end
        end
        local held = redis.call('SISMEMBER', P .. 'held', id) == 1
        if not held then dequeue(id) end
        redis.call('HSET', key, 'priority', priority)
        if order ~= nil then redis.call('HSET', key, 'order', string.format('%d', order)) end
        if not held then enqueue(key, id) end
        redis.call('PUBLISH', P .. 'events', 'priority')
        return 'changed:' .. priority
        """;

    /// <summary>
    /// Cancels waiting jobs ("stopped by user"), one chunk of a job index per call so Redis is never
    /// held for long: the caller loops on the cursor. ARGV: prefix, index key (an owner's index, or
    /// every job's), user ('' for any: else the job's owner or user name must equal it), start rank,
    /// chunk size. A held job (waiting on dependencies) is queued too and is cancelled the same way.
    /// Returns { cancelled, next rank, 1 when the index is exhausted else 0 }.
    /// </summary>
    public static readonly string StopQueued = Common + """
        local index, user, start, chunk = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
        local ids = redis.call('ZRANGE', index, start, start + chunk - 1)
        local now = nil
        local cancelled = 0
        for _, id in ipairs(ids) do
          local key = P .. 'job:' .. id
          local j = redis.call('HMGET', key, 'state', 'owner', 'user')
          if j[1] == 'queued' and (user == '' or j[2] == user or j[3] == user) then
            now = now or now_ms()
            dequeue(id)
            redis.call('SREM', P .. 'held', id)
            finish(key, id, j[1], 'cancelled', now, nil, nil, 'stopped by user')
            cancelled = cancelled + 1
          end
        end
        return { cancelled, start + #ids, #ids < chunk and 1 or 0 }
        """;

    /// <summary>
    /// Judges expired leases and silent nodes on Redis's clock. An expired job becomes lost, then
    /// queued again with attempt + 1, failed after max attempts, or cancelled when a stop was asked.
    /// ARGV: prefix, max jobs, max attempts (lease losses: failures retried by the job's retry policy
    /// do not count), leader epoch. Returns the number of leases judged, or
    /// the error NOTLEADER.
    /// </summary>
    public static readonly string Reap = Common + """
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
          local j = redis.call('HMGET', key, 'state', 'node', 'fence', 'attempt', 'lostOn', 'stop', 'retried')
          release(id, j[2], j[3])
          if on_node(j[1]) then
            local lost_on = j[5] and (j[5] .. ', ' .. j[2]) or j[2]
            move(key, id, j[1], 'lost', now, j[2], 'lease expired')
            redis.call('HSET', key, 'lostOn', lost_on)
            local attempt = tonumber(j[4])
            local losses = attempt - tonumber(j[7] or '0') -- retried failures are not lease losses
            if j[6] == '1' then
              finish(key, id, 'lost', 'cancelled', now, nil, nil, 'stopped by user')
            elseif losses >= max_attempts then
              finish(key, id, 'lost', 'failed', now, nil, nil, 'lost on node ' .. lost_on)
            else
              requeue(key, id, 'lost', now, nil, 'requeued after lease expiry', attempt + 1)
            end
          end
        end
        if #expired > 0 then redis.call('PUBLISH', P .. 'events', 'freed') end
        return #expired
        """;

    /// <summary>
    /// Registers or refreshes a node. ARGV: prefix, name, address, runtime, slots, alive ms, then
    /// its resources: gpus (comma list of ids), gpuInfo (JSON), cpuMillis, memoryBytes, limits,
    /// limitsNote; an empty cpuMillis means none are known and removes those fields.
    /// Returns the ids of jobs this node held before (assigned, starting or running) so a restarted worker can settle them.
    /// </summary>
    public static readonly string Register = Common + """
        local name, address, runtime, slots, alive = ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
        local nkey = P .. 'node:' .. name
        local now = now_ms()
        redis.call('SADD', P .. 'nodes', name)
        redis.call('HSET', nkey, 'name', name, 'address', address, 'runtime', runtime, 'slots', slots, 'state', 'ready', 'seen', now)
        redis.call('HSET', nkey, 'gpus', ARGV[7] or '', 'gpuInfo', ARGV[8] or '[]', 'limits', ARGV[11] or 'none', 'limitsNote', ARGV[12] or '')
        if ARGV[9] and ARGV[9] ~= '' then
          redis.call('HSET', nkey, 'cpuMillis', ARGV[9], 'memoryBytes', ARGV[10])
        else
          redis.call('HDEL', nkey, 'cpuMillis', 'memoryBytes')
        end
        redis.call('SET', nkey .. ':alive', '1', 'PX', alive)
        redis.call('PUBLISH', P .. 'events', 'node')
        return redis.call('SMEMBERS', nkey .. ':jobs')
        """;

    /// <summary>Marks a node draining (takes no new work) or down. ARGV: prefix, name, state.</summary>
    public static readonly string SetNodeState = Common + """
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
    public static readonly string Lead = Common + """
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
    public static readonly string Resign = Common + """
        local key = P .. 'leader'
        local current = redis.call('GET', key)
        if current and string.match(current, '^(.*)|%d+$') == ARGV[2] then redis.call('DEL', key) return 1 end
        return 0
        """;

    /// <summary>
    /// The queue's length and where one owner's first queued jobs stand in it (priority, then
    /// order). It walks only the owner's own queue, so neither a long history nor a long queue
    /// makes it slow. ARGV: prefix, owner, most jobs. Returns total, then id, 0-based rank pairs.
    /// </summary>
    public static readonly string QueuePositions = Common + """
        local queue = P .. 'queue'
        local mine = P .. 'queue:owner:' .. ARGV[2]
        local result = { redis.call('ZCARD', queue) }
        for _, id in ipairs(redis.call('ZRANGE', mine, 0, tonumber(ARGV[3]) - 1)) do
          local rank = redis.call('ZRANK', queue, id)
          if rank then
            result[#result + 1] = id
            result[#result + 1] = rank
          end
        end
        return result
        """;

    /// <summary>Deletes a finished job's records. ARGV: prefix, id. Returns 'deleted', 'missing' or 'active:STATE'.</summary>
    public static readonly string Delete = Common + """
        local id = ARGV[2]
        local key = P .. 'job:' .. id
        local j = redis.call('HMGET', key, 'state', 'owner', 'idem')
        if j[1] == false then return 'missing' end
        if not terminal(j[1]) then return 'active:' .. j[1] end
        if j[2] then redis.call('ZREM', P .. 'owner:' .. j[2] .. ':jobs', id) end
        if j[3] then redis.call('DEL', j[3]) end
        redis.call('DEL', key, key .. ':history', P .. 'route:' .. id)
        redis.call('DEL', key .. ':dependents')
        redis.call('ZREM', P .. 'jobs', id)
        return 'deleted'
        """;

    /// <summary>
    /// Puts jobs of the queue of all jobs that are missing from their owner's queue into it (jobs
    /// queued by a version of Atlas before per-owner queues, which placement would not see).
    /// ARGV: prefix, first rank, how many. Returns { jobs looked at, jobs repaired }.
    /// </summary>
    public static readonly string RepairOwnerQueues = Common + """
        local ids = redis.call('ZRANGE', P .. 'queue', tonumber(ARGV[2]), tonumber(ARGV[2]) + tonumber(ARGV[3]) - 1, 'WITHSCORES')
        local repaired = 0
        for i = 1, #ids, 2 do
          local id, score = ids[i], ids[i + 1]
          local owner = redis.call('HGET', P .. 'job:' .. id, 'owner') or '-'
          local mine = P .. 'queue:owner:' .. owner
          if redis.call('ZSCORE', mine, id) == false then
            redis.call('ZADD', mine, score, id)
            redis.call('SADD', P .. 'queue:owners', owner)
            repaired = repaired + 1
          end
        end
        return { #ids / 2, repaired }
        """;

    /// <summary>The transition table as a Lua table literal: <c>{ queued = { assigned = true, … }, … }</c>.</summary>
    private static string AllowedTable()
    {
        var lua = new StringBuilder("{ ");
        foreach (var from in JobStateMachine.Transitions.GroupBy(t => t.From))
        {
            lua.Append(JobStateMachine.Name(from.Key)).Append(" = { ");
            foreach (var to in from.Select(t => t.To).Distinct())
            {
                lua.Append(JobStateMachine.Name(to)).Append(" = true, ");
            }
            lua.Append("}, ");
        }
        return lua.Append('}').ToString();
    }
}
