namespace Atlas.Core.Scheduling;

/// <summary>A sweep or array's limit of running jobs and how many of its jobs are on nodes now.</summary>
/// <param name="MaxRunning">At most this many run at once; 0 for no limit.</param>
/// <param name="Active">How many are on nodes now.</param>
public sealed record GroupLoad(int MaxRunning, int Active);
