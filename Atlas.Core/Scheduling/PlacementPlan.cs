namespace Atlas.Core.Scheduling;

/// <summary>What a pass decided: the placements, why each other job it looked at waits, and the usage brought up to date.</summary>
/// <param name="Decisions">Jobs to place, in the order they were chosen.</param>
/// <param name="Reasons">Why each unplaced job the pass looked at waits, in words.</param>
/// <param name="Usage">Each owner's decayed usage as of <paramref name="UsageAtMs"/>.</param>
/// <param name="UsageAtMs">The snapshot's time.</param>
/// <param name="Reservation">The job holding a reservation, its node and when it is expected to fit (null: not known), or null.</param>
public sealed record PlacementPlan(
    IReadOnlyList<PlacementDecision> Decisions,
    IReadOnlyDictionary<string, string> Reasons,
    IReadOnlyDictionary<string, double> Usage,
    long UsageAtMs,
    Reservation? Reservation);
