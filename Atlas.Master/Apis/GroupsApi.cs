using Atlas.Api.Auth;
using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Core.Tracking;
using Atlas.Master.Submission;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Atlas.Master.Apis;

/// <summary>
/// Groups of jobs (sweeps and arrays), <c>/api/v1/groups</c>: submit one atomically, read its
/// summary and its jobs, stop it. Groups are owned like jobs: another user's group is a 404, the
/// same as one that does not exist.
/// </summary>
public static class GroupsApi
{
    private const int MaxLimit = 100_000;

    public static IEndpointRouteBuilder MapGroupsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/groups").WithTags("Groups");
        api.MapPost("/", SubmitGroup).DisableAntiforgery().Accepts<IFormFile>("multipart/form-data")
            .WithSummary("Submit a group: a 'spec' part (every job's template), a 'group' part (its sweep or array) and a 'bundle' part, stored once.")
            .WithDescription("All of the group's jobs are recorded, or none. With an Idempotency-Key header, a replay returns the group the first submit created, with 200.");
        api.MapGet("/{id}", GetGroup).WithSummary("A group: its owner, size, limit and how many of its jobs are in each state.");
        api.MapGet("/{id}/jobs", ListGroupJobs).WithSummary("A group's jobs, in the order they were expanded.");
        api.MapPost("/{id}/stop", StopGroup).WithSummary("Stop every job of the group that has not ended, in one step.");
        return app;
    }

    public static async Task<Results<Created<GroupView>, Ok<GroupView>, ProblemHttpResult>> SubmitGroup(
        HttpRequest request, Caller caller, JobSubmitter submitter, GroupSubmitter groups, JobReader reader, TrackingReader tracking,
        ILogger<JobSubmitter> logger, CancellationToken cancellationToken)
    {
        var result = await submitter.SubmitAsync(request, caller.Owner, cancellationToken, groups);
        if (result.Group is { } group)
        {
            if (result.Replayed)
            {
                return TypedResults.Ok(group);
            }
            // As for a single job: the params each job got are recorded for the job lists; the
            // jobs are queued already, so a failure here is logged, never answered as an error.
            await Parallel.ForEachAsync(group.JobIds, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (id, ct) =>
            {
                try
                {
                    var spec = (await reader.GetAsync(id, ct, withHistory: false))?.Spec;
                    await tracking.RecordSubmitAsync(id, spec?.Params, spec?.Tags, ct);
                }
                catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
                {
                    Log.LabelsNotRecorded(logger, id, ex);
                }
            });
            return TypedResults.Created($"/api/v1/groups/{group.Id}", group);
        }
        var detail = string.Join(" ", result.Errors!.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
        return TypedResults.Problem(statusCode: result.Status, title: result.Title, detail: detail,
            extensions: new Dictionary<string, object?> { ["errors"] = result.Errors });
    }

    public static async Task<Results<Ok<GroupView>, ProblemHttpResult>> GetGroup(string id, Caller caller, JobReader reader, CancellationToken cancellationToken) =>
        await FindAsync(id, caller, reader, cancellationToken) is { } group ? TypedResults.Ok(group) : GroupNotFound(id);

    public static async Task<Results<Ok<IReadOnlyList<JobView>>, ProblemHttpResult>> ListGroupJobs(
        string id, Caller caller, JobReader reader, TrackingReader tracking, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return Problems.Invalid("limit", $"Must be between 1 and {MaxLimit}.");
        }
        if (await FindAsync(id, caller, reader, cancellationToken) is not { } group)
        {
            return GroupNotFound(id);
        }
        // With each job's params and tags, as the job list shows them.
        return TypedResults.Ok(await tracking.WithLabelsAsync(await reader.ListGroupJobsAsync(group.Id, limit ?? MaxLimit, cancellationToken), cancellationToken));
    }

    public static async Task<Results<Accepted<GroupStopView>, ProblemHttpResult>> StopGroup(
        string id, Caller caller, JobReader reader, MasterJobStore store, ILogger<JobSubmitter> logger, CancellationToken cancellationToken)
    {
        // The owner never changes, so checking it before the stop is as good as in the same step.
        if (await FindAsync(id, caller, reader, cancellationToken) is null || await store.StopGroupAsync(id, cancellationToken) is not { } stopped)
        {
            return GroupNotFound(id);
        }
        Log.GroupStopped(logger, id, stopped.Cancelled, stopped.Stopping);
        return TypedResults.Accepted($"/api/v1/groups/{id}", stopped);
    }

    private static async Task<GroupView?> FindAsync(string id, Caller caller, JobReader reader, CancellationToken cancellationToken) =>
        GroupId.IsValid(id) && await reader.GetGroupAsync(id, cancellationToken) is { } group && caller.CanAccess(group.Owner) ? group : null;

    private static ProblemHttpResult GroupNotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Group not found.",
            detail: $"There is no group '{(id.Length > 64 ? id[..64] + "…" : id)}'.");
}
