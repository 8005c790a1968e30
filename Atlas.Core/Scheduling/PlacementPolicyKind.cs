namespace Atlas.Core.Scheduling;

/// <summary>How queued jobs are ordered and placed.</summary>
public enum PlacementPolicyKind
{
    /// <summary>Priority, then fair share between users, then best fit; backfill around one reservation.</summary>
    Fair,

    /// <summary>Plain priority, then submit order: the first job that does not fit stops the pass.</summary>
    Fifo,
}
