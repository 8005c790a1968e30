namespace Atlas.Core.Jobs;

/// <summary>One transition of a job, timed by Redis's clock.</summary>
public sealed record JobHistoryEntry(JobState State, DateTimeOffset At, string? Node = null, string? Reason = null);
