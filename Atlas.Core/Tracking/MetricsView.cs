namespace Atlas.Core.Tracking;

/// <summary>
/// <c>GET /api/v1/jobs/{id}/metrics</c>: the job's series, the counts of what was refused, the first
/// warnings, and the cursor of the live feed to follow from (<c>?since=</c>).
/// </summary>
public sealed record MetricsView
{
    public required string JobId { get; init; }
    public IReadOnlyList<MetricSeriesView> Series { get; init; } = [];
    public long SkippedLines { get; init; }
    public long RejectedValues { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Pass as <c>?since=</c> with <c>Accept: text/event-stream</c> to get only what comes after these series.</summary>
    public string Cursor { get; init; } = "0";
}
