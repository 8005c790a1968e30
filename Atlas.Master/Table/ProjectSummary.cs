namespace Atlas.Master.Table;

/// <summary>One project as <c>/api/v1/jobs/query/projects</c> lists it: counts over the jobs the caller may see.</summary>
public sealed record ProjectSummary(string Project, int Jobs, int Active, IReadOnlyList<string> Users, DateTimeOffset LastSubmittedAt);
