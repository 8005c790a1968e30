namespace Atlas.Core.Storage;

/// <summary>What a group submit recorded (everything) or why it recorded nothing.</summary>
/// <param name="Kind">The outcome.</param>
/// <param name="Id">The new group; the earlier group for a replay; the refused dependency; the id already taken; or the wrong-typed key.</param>
/// <param name="SubmittedAt">The jobs' submit time (Redis clock), for a new group.</param>
public sealed record GroupSubmitOutcome(GroupSubmitKind Kind, string Id, DateTimeOffset? SubmittedAt);
