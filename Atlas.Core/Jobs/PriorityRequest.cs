namespace Atlas.Core.Jobs;

/// <summary>The body of <c>POST /api/v1/jobs/{id}/priority</c>: a new priority, or <see cref="Top"/>.</summary>
/// <param name="Priority">-100..100, higher runs first.</param>
/// <param name="Top">Put the job first among its owner's waiting jobs (its priority raised to their highest, its order below all of theirs).</param>
public sealed record PriorityRequest(int? Priority = null, bool Top = false);
