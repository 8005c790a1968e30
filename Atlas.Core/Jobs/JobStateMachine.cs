using System.Text.Json;

namespace Atlas.Core.Jobs;

/// <summary>
/// DESIGN.md's lifecycle, the one source of truth: every Redis script that changes a job's state
/// is guarded by a Lua copy generated from <see cref="Transitions"/> (see <c>Storage/JobScripts</c>),
/// and <c>JobTransitionTests</c> drives every script from every state on a real Redis and checks
/// each move it makes against this table.
/// </summary>
/// <remarks>
/// Decisions the table records: a worker may hand a job back to the queue from assigned,
/// starting or running (a drain or a restart; attempt + 1 once it may have run), fenced like any
/// worker write. A job cannot succeed without having run: assigned and starting lead to failed
/// or cancelled, never succeeded. A lost job that a user asked to stop is cancelled, not run again.
/// A failure the job's retry policy covers (<c>--retries</c>, <c>--retry-on</c>) is not an end: the
/// worker's complete puts the job back in the queue as a new attempt (<c>retry</c>), so failed stays final.
/// </remarks>
public static class JobStateMachine
{
    /// <summary>Every allowed move; anything else is refused.</summary>
    public static IReadOnlyList<JobTransition> Transitions { get; } =
    [
        new(JobState.Queued, JobState.Assigned, "place"),
        new(JobState.Queued, JobState.Cancelled, "stop"),

        new(JobState.Assigned, JobState.Starting, "claim"),
        new(JobState.Assigned, JobState.Cancelled, "claim"), // stopped before its node took it
        new(JobState.Assigned, JobState.Queued, "hand back"),
        new(JobState.Assigned, JobState.Lost, "reap"),

        new(JobState.Starting, JobState.Running, "start"),
        new(JobState.Starting, JobState.Failed, "complete"), // the image or the program could not start
        new(JobState.Starting, JobState.Cancelled, "complete"),
        new(JobState.Starting, JobState.Queued, "hand back"),
        new(JobState.Starting, JobState.Queued, "retry"), // a failure the retry policy covers: a new attempt
        new(JobState.Starting, JobState.Lost, "reap"),

        new(JobState.Running, JobState.Succeeded, "complete"),
        new(JobState.Running, JobState.Failed, "complete"),
        new(JobState.Running, JobState.Cancelled, "complete"),
        new(JobState.Running, JobState.Queued, "hand back"),
        new(JobState.Running, JobState.Queued, "retry"),
        new(JobState.Running, JobState.Lost, "reap"),

        new(JobState.Lost, JobState.Queued, "reap"),
        new(JobState.Lost, JobState.Failed, "reap"),
        new(JobState.Lost, JobState.Cancelled, "reap"),
    ];

    private static readonly Dictionary<JobState, JobState[]> Allowed = Enum.GetValues<JobState>().ToDictionary(
        s => s, s => Transitions.Where(t => t.From == s).Select(t => t.To).Distinct().ToArray());

    /// <summary>True for the states a job never leaves.</summary>
    public static bool IsTerminal(JobState state) =>
        state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    /// <summary>True for the states in which a job holds a lease on a node.</summary>
    public static bool IsOnNode(JobState state) =>
        state is JobState.Assigned or JobState.Starting or JobState.Running;

    /// <summary>True when the job may move from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool CanMove(JobState from, JobState to) => Allowed[from].Contains(to);

    /// <summary>The states a job may move to from <paramref name="from"/>.</summary>
    public static IReadOnlyList<JobState> Next(JobState from) => Allowed[from];

    /// <summary>A state as stored and shown: lower camel case (<c>queued</c>, <c>starting</c>).</summary>
    public static string Name(JobState state) => JsonNamingPolicy.CamelCase.ConvertName(state.ToString());
}
