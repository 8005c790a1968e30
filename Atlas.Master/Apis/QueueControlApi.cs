using Atlas.Api.Auth;
using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Atlas.Master.Apis;

/// <summary>
/// Reordering and clearing the queue: <c>POST /api/v1/jobs/{id}/priority</c> (<c>atlas priority</c>)
/// and <c>POST /api/v1/queue/stop</c> (<c>atlas stop --all-queued</c>). A caller changes only their
/// own waiting jobs; an admin may name another user or everyone.
/// </summary>
public static class QueueControlApi
{
    private const int MaxUserLength = 256;

    public static IEndpointRouteBuilder MapQueueControlApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/jobs").WithTags("Jobs").MapPost("/{id}/priority", SetPriority)
            .WithSummary("Change a waiting job's priority, or put it first among its owner's waiting jobs (top).");
        app.MapGroup("/api/v1/queue").WithTags("Queue").MapPost("/stop", StopQueued)
            .WithSummary("Cancel the caller's waiting jobs; an admin may name a user, or everyone.");
        return app;
    }

    public static async Task<Results<Ok<JobView>, ProblemHttpResult>> SetPriority(
        string id, PriorityRequest? request, Caller caller, JobReader reader, MasterJobStore store, CancellationToken cancellationToken)
    {
        if (request is null || (request.Priority is null && !request.Top))
        {
            return Problems.Invalid("priority", "Give a priority between -100 and 100, or top: true.");
        }
        if (request.Priority is not null && request.Top)
        {
            return Problems.Invalid("top", "Give either a priority or top, not both.");
        }
        if (request.Priority is < -JobSpecValidator.MaxPriority or > JobSpecValidator.MaxPriority)
        {
            return Problems.Invalid("priority", $"Priority must be between {-JobSpecValidator.MaxPriority} and {JobSpecValidator.MaxPriority}.");
        }
        // The owner never changes, so checking it before the change is as good as checking it in the same step.
        if (!JobId.IsValid(id) || await reader.AccessAsync(id, cancellationToken) is not { } access || !caller.CanAccess(access.Owner))
        {
            return Problems.JobNotFound(id);
        }
        var outcome = await store.ReprioritizeAsync(id, request.Priority ?? 0, request.Top, cancellationToken);
        switch (outcome.Kind)
        {
            case PriorityKind.NotQueued:
                return Problems.Conflict("The job is not waiting.",
                    $"Job {id} is {JobStateMachine.Name(outcome.State!.Value)}; only a queued job's priority can change.");
            case PriorityKind.Changed when await reader.GetAsync(id, cancellationToken, withHistory: false) is { } job:
                return TypedResults.Ok(job.View);
            default:
                return Problems.JobNotFound(id);
        }
    }

    public static async Task<Results<Ok<QueueStopView>, ProblemHttpResult>> StopQueued(
        string? user, bool? everyone, Caller caller, MasterJobStore store, CancellationToken cancellationToken)
    {
        if (user is not null && (user.Length is 0 or > MaxUserLength || user.Any(char.IsControl)))
        {
            return Problems.Invalid("user", $"A user name of 1 to {MaxUserLength} printable characters.");
        }
        if (user is not null && everyone == true)
        {
            return Problems.Invalid("everyone", "Give either a user or everyone, not both.");
        }
        if ((user is not null || everyone == true) && !caller.IsAdmin)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Only an admin may clear another user's queue.",
                detail: $"{(user is null ? "everyone" : "user")}: you ({caller.Username}) are not an admin; without it, only your own waiting jobs are cancelled.");
        }
        long cancelled;
        string scope;
        if (everyone == true)
        {
            (cancelled, scope) = (await store.StopQueuedAsync(null, null, MasterJobStore.StopQueuedChunk, cancellationToken), "everyone");
        }
        else if (user is not null)
        {
            (cancelled, scope) = (await store.StopQueuedAsync(null, user, MasterJobStore.StopQueuedChunk, cancellationToken), $"user:{user}");
        }
        else
        {
            (cancelled, scope) = (await store.StopQueuedAsync(caller.Subject, null, MasterJobStore.StopQueuedChunk, cancellationToken), "mine");
        }
        return TypedResults.Ok(new QueueStopView(cancelled, scope));
    }
}
