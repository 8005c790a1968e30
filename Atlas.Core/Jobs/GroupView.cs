namespace Atlas.Core.Jobs;

/// <summary>A group of jobs (a sweep or an array) as the API shows it: who owns it and how many of its jobs are in each state.</summary>
public sealed record GroupView
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    public string? Owner { get; init; }
    public string? Username { get; init; }

    /// <summary>How many jobs the group was submitted with.</summary>
    public int Total { get; init; }

    /// <summary>At most this many run at a time; 0 for no limit.</summary>
    public int MaxRunning { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>State name (lower case) to how many of the group's jobs are in it; states with none are left out.</summary>
    public IReadOnlyDictionary<string, int> Counts { get; init; } = new Dictionary<string, int>();

    /// <summary>The group's job ids, in the order they were expanded (filled in by a submit's answer).</summary>
    public IReadOnlyList<string> JobIds { get; init; } = [];
}
