using Atlas.Api.Auth;
using Atlas.Api.Jobs;
using Atlas.Core.Jobs;
using Atlas.Core.SharedVolume;
using Atlas.Core.Storage;
using Atlas.Core.Tracking;
using Atlas.Master.Submission;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Atlas.Master.Apis;

/// <summary>
/// The job API, <c>/api/v1/jobs</c>. The gateway sends calls here unless a job's node must answer
/// (live logs). A caller sees only their own jobs (an admin, every job); anyone else's job is
/// a 404, the same as a job that does not exist, so ids cannot be probed.
/// </summary>
public static class JobsApi
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 10_000;

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/jobs").WithTags("Jobs");
        api.MapPost("/", SubmitJob).DisableAntiforgery().Accepts<IFormFile>("multipart/form-data")
            .WithSummary("Submit a job: a 'spec' JSON part and a 'bundle' .tar.gz part, or a 'manifest' JSON part naming blobs uploaded to /api/v1/blobs.")
            .WithDescription("With an Idempotency-Key header, a submit replayed with the same key (by the same user) returns the job the first one created, with 200, instead of creating another.");
        api.MapGet("/", ListJobs).WithSummary("Jobs, newest first.");
        api.MapGet("/{id}", GetJob).WithSummary("One job with its state history.");
        api.MapJobControlApi();
        api.MapPost("/{id}/stop", StopJob).WithSummary("Stop a job: cancel it if queued, kill it after a grace period if on a node.");
        api.MapDelete("/{id}", DeleteJob).WithSummary("Remove a finished job and its files.");
        return app;
    }

    public static async Task<Results<Created<JobView>, Ok<JobView>, ProblemHttpResult>> SubmitJob(
        HttpRequest request, Caller caller, JobSubmitter submitter, TrackingReader tracking, ILogger<JobSubmitter> logger, CancellationToken cancellationToken)
    {
        var result = await submitter.SubmitAsync(request, caller.Owner, cancellationToken);
        if (result.Job is { } job)
        {
            if (result.Replayed)
            {
                return TypedResults.Ok(job);
            }
            // Before the answer, so job lists show them at once. The job is queued already: a
            // failure here must not turn into an error the client retries (a second job); the
            // spec keeps the params and tags, and the job's own view and runs read them from it.
            try
            {
                await tracking.RecordSubmitAsync(job.Id, job.Params, job.Tags, cancellationToken);
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                Log.LabelsNotRecorded(logger, job.Id, ex);
            }
            return TypedResults.Created($"/api/v1/jobs/{job.Id}", job);
        }
        var detail = string.Join(" ", result.Errors!.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
        return TypedResults.Problem(statusCode: result.Status, title: result.Title, detail: detail,
            extensions: new Dictionary<string, object?> { ["errors"] = result.Errors });
    }

    public static async Task<Results<Ok<IReadOnlyList<JobView>>, ProblemHttpResult>> ListJobs(
        Caller caller, JobReader store, TrackingReader tracking, string? project, string? state, int? limit, CancellationToken cancellationToken)
    {
        JobState? parsedState = null;
        if (state is not null)
        {
            if (!Enum.TryParse<JobState>(state, ignoreCase: true, out var s) || int.TryParse(state, out _))
            {
                return Problems.Invalid("state", $"Unknown state; use one of {string.Join(", ", Enum.GetNames<JobState>().Select(n => n.ToLowerInvariant()))}.");
            }
            parsedState = s;
        }
        if (limit is < 1 or > MaxLimit)
        {
            return Problems.Invalid("limit", $"Must be between 1 and {MaxLimit}.");
        }
        if (project is { Length: > 128 })
        {
            return Problems.Invalid("project", "At most 128 characters.");
        }
        var owner = caller.IsAdmin ? null : caller.Subject;
        var jobs = await store.ListAsync(owner, project, parsedState, limit ?? DefaultLimit, cancellationToken);
        return TypedResults.Ok(await tracking.WithLabelsAsync(jobs, cancellationToken));
    }

    public static async Task<Results<Ok<JobView>, ProblemHttpResult>> GetJob(string id, Caller caller, JobReader store, TrackingReader tracking, CancellationToken cancellationToken)
    {
        var job = JobId.IsValid(id) ? await store.GetAsync(id, cancellationToken) : null;
        return job is null || !caller.CanAccess(job.View.Owner)
            ? Problems.JobNotFound(id)
            : TypedResults.Ok(await tracking.WithLabelsAsync(job.View with { Params = job.Spec.Params ?? job.View.Params, Tags = job.Spec.Tags ?? job.View.Tags }, cancellationToken));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteJob(
        string id, Caller caller, JobReader reader, MasterJobStore store, TrackingReader tracking, JobPaths paths, ILogger<JobSubmitter> logger, CancellationToken cancellationToken)
    {
        // The owner never changes, so checking it before the delete is as good as checking it in the same step.
        if (!JobId.IsValid(id) || await reader.AccessAsync(id, cancellationToken) is not { } access || !caller.CanAccess(access.Owner))
        {
            return Problems.JobNotFound(id);
        }
        switch (await store.DeleteAsync(id, cancellationToken))
        {
            case DeleteOutcome.Missing:
                return Problems.JobNotFound(id);
            case DeleteOutcome.Active:
                return Problems.Conflict("The job has not ended.", $"Stop job {id} first; only finished jobs can be removed.");
            default:
                await tracking.DeleteAsync(id, cancellationToken);
                var dir = paths.Job(id);
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }
                Log.JobDeleted(logger, id);
                return TypedResults.NoContent();
        }
    }

    public static async Task<Results<Accepted<JobView>, ProblemHttpResult>> StopJob(
        string id, Caller caller, JobReader reader, MasterJobStore store, CancellationToken cancellationToken)
    {
        if (!JobId.IsValid(id) || await reader.AccessAsync(id, cancellationToken) is not { } access || !caller.CanAccess(access.Owner))
        {
            return Problems.JobNotFound(id);
        }
        var outcome = await store.StopAsync(id, cancellationToken);
        var job = outcome.Kind == StopKind.Missing ? null : await reader.GetAsync(id, cancellationToken);
        if (job is null)
        {
            return Problems.JobNotFound(id);
        }
        return outcome.Kind == StopKind.AlreadyTerminal
            ? Problems.Conflict("The job has already ended.", $"Job {id} is {JobStateMachine.Name(job.View.State)}.")
            : TypedResults.Accepted($"/api/v1/jobs/{id}", job.View);
    }
}
