using Atlas.Core.Jobs;

namespace Atlas.Master.Table;

/// <summary>One line of the job table: what the table shows and sorts by, without the spec's command or environment.</summary>
public sealed record JobRow
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    public required string Project { get; init; }
    public required JobState State { get; init; }

    /// <summary>The submitter's <c>sub</c>: the table shows a caller only their own rows unless they are an admin.</summary>
    public string? Owner { get; init; }
    public string? Username { get; init; }
    public string? Node { get; init; }
    public int Attempt { get; init; }
    public int Priority { get; init; }
    public int? ExitCode { get; init; }
    public string? Reason { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The job's parameters (the tracking store's hash <c>atlas:job:{id}:params</c>), empty when it has none.</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    /// <summary>The job's tags (the tracking store's hash <c>atlas:job:{id}:tags</c>), empty when it has none.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The last value of each metric the job reported (the tracking store's summary hash), empty when it has none.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
}
