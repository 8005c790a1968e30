namespace Atlas.Core.Scheduling;

/// <summary>A queued job as placement sees it.</summary>
/// <param name="Id">The job.</param>
/// <param name="Owner">Its owner's subject: fair share and limits count per owner.</param>
/// <param name="User">Its owner's user name, for the per-user limit overrides.</param>
/// <param name="Priority">Higher runs first.</param>
/// <param name="Order">Among one owner's jobs of equal priority, lower runs first (the submit time unless reordered).</param>
/// <param name="Gpus">Whole GPUs it needs.</param>
/// <param name="CpuMillis">CPU it needs in thousandths of a core (0 for no limit).</param>
/// <param name="MemoryBytes">Memory it needs (0 for no limit).</param>
/// <param name="TimeLimitMs">How long it may run; null for no limit (it cannot be proved not to delay a reservation).</param>
/// <param name="Group">Its sweep or array, or null.</param>
/// <param name="FailedOn">Nodes it failed on, one entry per failed attempt.</param>
public sealed record WaitingJob(
    string Id, string Owner, string User, int Priority, long Order, int Gpus, long CpuMillis, long MemoryBytes,
    long? TimeLimitMs, string? Group, IReadOnlyList<string> FailedOn);
