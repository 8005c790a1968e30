namespace Atlas.Core.Storage;

/// <summary>What a submit recorded.</summary>
/// <param name="Id">The job: the new one, or the one an earlier submit with the same idempotency key created.</param>
/// <param name="Replayed">True when the idempotency key already named a job and nothing new was recorded.</param>
/// <param name="SubmittedAt">The new job's submit time (Redis clock); null for a replay.</param>
/// <param name="RefusedDependency">A dependency that is no job of the submitter (unknown, or another user's): nothing was recorded.</param>
public sealed record SubmitOutcome(string Id, bool Replayed, DateTimeOffset? SubmittedAt, string? RefusedDependency = null);
