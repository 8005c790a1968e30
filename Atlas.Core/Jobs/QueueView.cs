namespace Atlas.Core.Jobs;

/// <summary>
/// The queue as one user sees it: how many jobs wait in all, and where the caller's own stand.
/// Other users' jobs are only counted, never shown.
/// </summary>
/// <param name="Queued">Jobs waiting, everyone's.</param>
/// <param name="Yours">The caller's waiting jobs, first to be placed first.</param>
public sealed record QueueView(int Queued, IReadOnlyList<QueuePosition> Yours)
{
    /// <summary>The caller's limits and what they hold now; null when the reader does not know them.</summary>
    public QueueLimits? Limits { get; init; }
}
