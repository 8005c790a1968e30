namespace Atlas.Master.Table;

/// <summary>One page of <c>GET /api/v1/jobs/query</c>.</summary>
/// <param name="Total">How many jobs match the filters (all pages).</param>
/// <param name="Items">This page, in the order asked for.</param>
/// <param name="NextCursor">Pass it as <c>cursor</c> for the next page; null on the last page.</param>
/// <param name="Version">Changes whenever any job changes; <c>/api/v1/jobs/query/events</c> announces new ones.</param>
public sealed record JobTablePage(int Total, IReadOnlyList<JobRow> Items, string? NextCursor, long Version);
