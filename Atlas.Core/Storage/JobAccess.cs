using Atlas.Core.Jobs;

namespace Atlas.Core.Storage;

/// <summary>What an access check needs of a job: its state and its owner's <c>sub</c> (null for jobs from before owners were recorded).</summary>
public readonly record struct JobAccess(JobState State, string? Owner);
