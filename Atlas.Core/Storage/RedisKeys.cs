namespace Atlas.Core.Storage;

/// <summary>
/// Every Redis key and channel Atlas uses, in one place. The Lua scripts in
/// <see cref="JobScripts"/> build the same names from <see cref="Prefix"/>; keep them in step.
/// </summary>
public static class RedisKeys
{
    /// <summary>The prefix of every key; the scripts receive it as their first argument.</summary>
    public const string Prefix = "atlas:";

    /// <summary>Hash: one job's record.</summary>
    public static string Job(string id) => $"{Prefix}job:{id}";

    /// <summary>List: one job's transitions, JSON objects, oldest first.</summary>
    public static string History(string id) => $"{Prefix}job:{id}:history";

    /// <summary>Sorted set: every job id, scored by submit time in ms.</summary>
    public const string Jobs = Prefix + "jobs";

    /// <summary>Sorted set: one owner's job ids, scored like <see cref="Jobs"/>, so listing a user's jobs reads only theirs.</summary>
    public static string OwnerJobs(string owner) => $"{Prefix}owner:{owner}:jobs";

    /// <summary>Sorted set: queued job ids, scored by priority (higher first), then <c>order</c> (the submit time unless reordered).</summary>
    public const string Queue = Prefix + "queue";

    /// <summary>Sorted set: one owner's queued job ids, scored like <see cref="Queue"/>: placement reads each owner's head from here.</summary>
    public static string OwnerQueue(string owner) => $"{Prefix}queue:owner:{owner}";

    /// <summary>Set: the owners with at least one queued job.</summary>
    public const string QueueOwners = Prefix + "queue:owners";

    /// <summary>Hash: each owner's decayed usage (weighted seconds) that fair share weighs, and <c>@at</c>, when it was brought up to date.</summary>
    public const string Usage = Prefix + "usage";

    /// <summary>Hash: why each waiting job the last placement pass looked at waits, in words; it expires.</summary>
    public const string WaitReasons = Prefix + "reasons";

    /// <summary>String: the job the last placement pass reserved a node for.</summary>
    public const string Reserved = Prefix + "reserved";

    /// <summary>Set: the jobs of a group that are on nodes, against its <c>maxRunning</c>.</summary>
    public static string GroupActive(string id) => $"{Prefix}group:{id}:active";

    /// <summary>Sorted set: ids of jobs on a node (assigned, starting, running), scored by lease expiry in ms on Redis's clock.</summary>
    public const string Leases = Prefix + "leases";

    /// <summary>String: the job-to-node lookup the gateway reads; holds the node's address while the job is active.</summary>
    public static string Route(string id) => $"{Prefix}route:{id}";

    /// <summary>String: the job an idempotent submit created, by the hash of its owner and key; it expires.</summary>
    public static string Idempotency(string hash) => $"{Prefix}idem:{hash}";

    /// <summary>Hash: one group of jobs (a sweep or an array): <c>owner</c>, <c>user</c>, <c>name</c>, <c>total</c>, <c>maxRunning</c>, <c>createdAt</c>.</summary>
    public static string Group(string id) => $"{Prefix}group:{id}";

    /// <summary>Sorted set: a group's job ids, scored by their place in the expansion (1 = first).</summary>
    public static string GroupJobs(string id) => $"{Prefix}group:{id}:jobs";

    /// <summary>Set: the ids of jobs with pending dependencies: queued, but held out of <see cref="Queue"/> (their hash's <c>waitingFor</c> says on what).</summary>
    public const string Held = Prefix + "held";

    /// <summary>Set: the jobs waiting on this one (the reverse of their <c>waitingFor</c>), so ending it settles only them.</summary>
    public static string Dependents(string id) => $"{Prefix}job:{id}:dependents";

    /// <summary>Set: every node name ever registered.</summary>
    public const string Nodes = Prefix + "nodes";

    /// <summary>Hash: one node's registration.</summary>
    public static string Node(string name) => $"{Prefix}node:{name}";

    /// <summary>String with a time to live: present while the node's heartbeats keep coming.</summary>
    public static string NodeAlive(string name) => $"{Prefix}node:{name}:alive";

    /// <summary>Set: the jobs on a node (assigned, starting or running).</summary>
    public static string NodeJobs(string name) => $"{Prefix}node:{name}:jobs";

    /// <summary>
    /// List: jobs assigned to a node and not yet claimed, as <c>id:fence</c> entries (<see cref="Assignment"/>).
    /// Entries leave it only when the job is claimed or ends, so an assignment survives a worker crash.
    /// </summary>
    public static string NodeInbox(string name) => $"{Prefix}node:{name}:inbox";

    /// <summary>Channel: wakes the master's scheduler (a job submitted, a slot freed, a node joined).</summary>
    public const string SchedulerChannel = Prefix + "events";

    /// <summary>Channel: wakes one worker (<c>assign</c>, or <c>stop:{id}</c>).</summary>
    public static string NodeChannel(string name) => $"{Prefix}node:{name}:wake";

    /// <summary>Hash: one schedule (<see cref="ScheduleStore"/>): its cron, spec, owner, next run and last tick.</summary>
    public static string Schedule(string id) => $"{Prefix}schedule:{id}";

    /// <summary>Sorted set: the ids of schedules that are not paused, scored by their next run in ms (Unix time).</summary>
    public const string SchedulesDue = Prefix + "schedules:due";

    /// <summary>Sorted set: every schedule id, scored by creation time in ms.</summary>
    public const string Schedules = Prefix + "schedules";

    /// <summary>Set: schedules whose claimed tick may not be submitted yet (the leader died between claiming and submitting).</summary>
    public const string SchedulesPending = Prefix + "schedules:pending";

    /// <summary>Sorted set: one owner's schedule ids, scored like <see cref="Schedules"/>.</summary>
    public static string OwnerSchedules(string owner) => $"{Prefix}owner:{owner}:schedules";

    /// <summary>Hash: one owner's schedule names to ids (a name is unique per owner).</summary>
    public static string OwnerScheduleNames(string owner) => $"{Prefix}owner:{owner}:schedule-names";
}
