namespace Atlas.Core.Jobs;

/// <summary>
/// The allowed transitions of DESIGN.md's lifecycle. The Redis scripts enforce the same table
/// atomically (see <c>Storage/JobScripts</c>); this copy serves validation and tests.
/// </summary>
public static class JobStateMachine
{
    private static readonly Dictionary<JobState, JobState[]> Allowed = new()
    {
        [JobState.Queued] = [JobState.Assigned, JobState.Cancelled],
        [JobState.Assigned] = [JobState.Running, JobState.Lost, JobState.Failed, JobState.Cancelled],
        [JobState.Running] = [JobState.Succeeded, JobState.Failed, JobState.Cancelled, JobState.Lost],
        [JobState.Lost] = [JobState.Queued, JobState.Failed],
        [JobState.Succeeded] = [],
        [JobState.Failed] = [],
        [JobState.Cancelled] = [],
    };

    /// <summary>True for the states a job never leaves.</summary>
    public static bool IsTerminal(JobState state) =>
        state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    /// <summary>True when the job may move from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool CanMove(JobState from, JobState to) => Allowed[from].Contains(to);

    /// <summary>The states a job may move to from <paramref name="from"/>.</summary>
    public static IReadOnlyList<JobState> Next(JobState from) => Allowed[from];
}
