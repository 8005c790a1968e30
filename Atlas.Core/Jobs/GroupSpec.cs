namespace Atlas.Core.Jobs;

/// <summary>
/// How one submit becomes many jobs (<c>atlas submit --sweep … --array …</c>): the cartesian
/// product of <see cref="Sweep"/>'s values, times the indices of <see cref="Array"/> when both
/// are given. Each job is the submit's <see cref="JobSpec"/> with its values substituted
/// (<see cref="GroupExpander"/>).
/// </summary>
public sealed record GroupSpec
{
    /// <summary>A display name for the group; the job spec's name when left out.</summary>
    public string? Name { get; init; }

    /// <summary>The swept parameters, in the order they were given; the last one varies fastest.</summary>
    public IReadOnlyList<SweepAxis>? Sweep { get; init; }

    /// <summary>An array of jobs, one per index (<c>--array 0-99</c>).</summary>
    public JobArray? Array { get; init; }

    /// <summary>At most this many of the group's jobs run at a time (<c>--array 0-99%10</c>); 0 for no limit.</summary>
    public int MaxRunning { get; init; }
}
