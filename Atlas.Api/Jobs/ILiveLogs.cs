namespace Atlas.Api.Jobs;

/// <summary>
/// Implemented by a node that runs jobs: lets a log follower wait for the next write of a job
/// running here instead of polling the job's state.
/// </summary>
public interface ILiveLogs
{
    /// <summary>
    /// A wait for more output of <paramref name="jobId"/> (returning false once the job has ended),
    /// or null when the job does not run on this node.
    /// </summary>
    Func<CancellationToken, Task<bool>>? Follow(string jobId);
}
