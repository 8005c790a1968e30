namespace Atlas.Core.Jobs;

/// <summary>One allowed move of a job, and the step that makes it.</summary>
/// <param name="From">The state the step expects.</param>
/// <param name="To">The state it leaves the job in.</param>
/// <param name="Step">Which script makes it (<c>place</c>, <c>claim</c>, <c>start</c>, <c>complete</c>, <c>hand back</c>, <c>retry</c> (a complete that failed within the retry policy), <c>stop</c>, <c>reap</c>).</param>
public sealed record JobTransition(JobState From, JobState To, string Step);
