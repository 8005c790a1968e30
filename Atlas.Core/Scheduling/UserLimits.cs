namespace Atlas.Core.Scheduling;

/// <summary>One user's limits; 0 or null means unlimited.</summary>
public sealed class UserLimits
{
    /// <summary>At most this many of the user's jobs on nodes at once.</summary>
    public int? MaxRunningJobs { get; set; }

    /// <summary>At most this many GPUs held by the user's jobs at once.</summary>
    public int? MaxGpus { get; set; }
}
