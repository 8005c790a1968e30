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

    /// <summary>The run of <paramref name="job"/> (its params and tags as its view has them) with <paramref name="metrics"/>.</summary>
    public static RunView Of(JobView job, IReadOnlyDictionary<string, MetricSummary> metrics) => new()
    {
        JobId = job.Id,
        Name = job.Name,
        State = job.State,
        User = job.Username,
        SubmittedAt = job.SubmittedAt,
        Params = job.Params,
        Tags = job.Tags,
        Metrics = metrics,
    };
}
