using Atlas.Core.Jobs;

namespace Atlas.Core.Tracking;

/// <summary>One job of a project as <c>GET /api/v1/projects/{project}/runs</c> shows it: for tables and comparisons.</summary>
public sealed record RunView
{
    public required string JobId { get; init; }
    public string? Name { get; init; }
    public required JobState State { get; init; }
    public string? User { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, MetricSummary> Metrics { get; init; } = new Dictionary<string, MetricSummary>();
}
