namespace Atlas.Core.Schedules;

/// <summary>What claiming a schedule's tick came to.</summary>
public enum TickClaim
{
    /// <summary>This leader owns the tick: it must submit its job (the claim is recorded as pending until it has).</summary>
    Claimed,

    /// <summary>The schedule's next run is no longer the one read: another pass claimed it, or it was resumed.</summary>
    Stale,

    Paused,

    Missing,
}
