namespace Atlas.Worker.Runtime;

/// <summary>
/// Runs one job to its end on this node: the seam between the worker's bookkeeping and the
/// thing that executes (<c>DockerRuntime</c> or <c>ProcessRuntime</c>).
/// </summary>
public interface IJobRuntime
{
    /// <summary><c>docker</c> or <c>process</c>, as shown by <c>atlas nodes</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Starts the job, streams its stdout and stderr into <see cref="JobLaunch.Output"/> and
    /// returns its exit code when it ends (128 + the signal's number when a signal ended it).
    /// When <paramref name="stop"/> fires, the job is asked to stop (SIGTERM), killed after the
    /// grace period, and the method still returns the exit code it ended with. When
    /// <paramref name="stop"/> fires before the job has started, nothing runs and
    /// <see cref="OperationCanceledException"/> is thrown.
    /// Throws <see cref="JobStartException"/> when the job cannot start (missing image, failed
    /// pull, program not found), with a reason fit to show to the user.
    /// </summary>
    Task<int> RunAsync(JobLaunch launch, CancellationToken stop);

    /// <summary>
    /// Called when the worker starts, before it takes work: ends whatever an earlier life of
    /// this worker left running (it crashed or was killed). <paramref name="jobDirs"/> are the
    /// folders of the jobs the store still holds as running on this node.
    /// </summary>
    Task RemoveLeftoversAsync(IReadOnlyList<string> jobDirs, CancellationToken cancellationToken);

    /// <summary>
    /// How this runtime enforces a job's CPU and memory limits on this node: <c>docker</c>,
    /// <c>cgroup</c> or <c>none</c> (Atlas.Core.Nodes.NodeLimits), with the how or the why in words.
    /// </summary>
    Task<(string Limits, string Note)> LimitsAsync(CancellationToken cancellationToken);
}
