namespace Atlas.Core.Tracking;

/// <summary>How a write of a job's reports went.</summary>
public enum FlushOutcome
{
    Written,

    /// <summary>The job's fencing token moved on: this attempt no longer owns the job and writes nothing more.</summary>
    Stale,

    /// <summary>Redis lost the job's reports (it restarted without them): send everything again.</summary>
    Reset,
}
