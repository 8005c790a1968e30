namespace Atlas.Core.Jobs;

/// <summary>A user's placement limits (0 for none) and what their jobs on nodes hold now.</summary>
/// <param name="MaxRunningJobs">At most this many jobs on nodes at once; 0 for no limit.</param>
/// <param name="MaxGpus">At most this many GPUs held at once; 0 for no limit.</param>
/// <param name="RunningJobs">The user's jobs on nodes now.</param>
/// <param name="Gpus">The GPUs those jobs hold.</param>
/// <param name="Policy">The cluster's placement policy (<c>fair</c> or <c>fifo</c>).</param>
public sealed record QueueLimits(int MaxRunningJobs, int MaxGpus, int RunningJobs, int Gpus, string Policy);
