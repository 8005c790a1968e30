namespace Atlas.Master.Table;

/// <summary>The event <c>/api/v1/jobs/query/events</c> sends when the table changed.</summary>
public sealed record JobTableVersion(long Version);
