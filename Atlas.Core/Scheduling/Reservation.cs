namespace Atlas.Core.Scheduling;

/// <summary>The node held for the highest-priority job that does not fit, from when it is expected to fit there.</summary>
/// <param name="JobId">The job it is held for.</param>
/// <param name="Node">The node.</param>
/// <param name="AtMs">When the running jobs' time limits free enough; null when some of them have no limit.</param>
public sealed record Reservation(string JobId, string Node, long? AtMs);
