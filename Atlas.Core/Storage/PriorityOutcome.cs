using Atlas.Core.Jobs;

namespace Atlas.Core.Storage;

/// <summary>What a priority change did.</summary>
/// <param name="Kind">The outcome.</param>
/// <param name="Priority">For <see cref="PriorityKind.Changed"/>, the job's priority now.</param>
/// <param name="State">For <see cref="PriorityKind.NotQueued"/>, the state that refused the change.</param>
public sealed record PriorityOutcome(PriorityKind Kind, int Priority = 0, JobState? State = null);
