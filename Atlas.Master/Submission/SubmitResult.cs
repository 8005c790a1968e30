using Atlas.Core.Jobs;

namespace Atlas.Master.Submission;

/// <summary>A submit's outcome: the accepted job, or why it was refused (nothing was written then).</summary>
public sealed record SubmitResult
{
    public JobView? Job { get; private init; }

    /// <summary>The HTTP status of a refusal: 400, 413 or 415.</summary>
    public int Status { get; private init; }

    public string? Title { get; private init; }

    /// <summary>Field (or <c>bundle</c>) to messages.</summary>
    public IDictionary<string, string[]>? Errors { get; private init; }

    /// <summary>True when an idempotency key named an earlier submit: <see cref="Job"/> is that job, and nothing new was recorded.</summary>
    public bool Replayed { get; private init; }

    /// <summary>For a group submit: the accepted (or replayed) group, with its job ids.</summary>
    public GroupView? Group { get; private init; }

    public static SubmitResult Accepted(JobView job) => new() { Job = job, Status = StatusCodes.Status201Created };

    public static SubmitResult AcceptedGroup(GroupView group, bool replayed) =>
        new() { Group = group, Replayed = replayed, Status = replayed ? StatusCodes.Status200OK : StatusCodes.Status201Created };

    public static SubmitResult Replay(JobView job) => new() { Job = job, Replayed = true, Status = StatusCodes.Status200OK };

    public static SubmitResult Rejected(int status, string title, string field, string message) =>
        new() { Status = status, Title = title, Errors = new Dictionary<string, string[]> { [field] = [message] } };

    public static SubmitResult Invalid(IDictionary<string, string[]> errors) =>
        new() { Status = StatusCodes.Status400BadRequest, Title = "The job spec is not valid.", Errors = errors };
}
