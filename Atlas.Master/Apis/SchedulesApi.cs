using Atlas.Api.Auth;
using Atlas.Core.Jobs;
using Atlas.Core.Schedules;
using Atlas.Core.SharedVolume;
using Atlas.Core.Storage;
using Atlas.Master.Schedules;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Atlas.Master.Apis;

/// <summary>
/// Scheduled jobs, <c>/api/v1/schedules</c>: add (multipart, like a submit), list, pause, resume
/// and remove. A schedule is addressed by its id or by its name; like jobs, a caller sees only
/// their own (an admin, every one), and anyone else's is a 404.
/// </summary>
public static class SchedulesApi
{
    public static IEndpointRouteBuilder MapSchedulesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/schedules").WithTags("Schedules");
        api.MapPost("/", AddSchedule).DisableAntiforgery().Accepts<IFormFile>("multipart/form-data")
            .WithSummary("Add a schedule: 'cron', optional 'name' and 'timezone' fields, a 'spec' JSON part and a 'bundle' .tar.gz part.");
        api.MapGet("/", ListSchedules).WithSummary("Schedules, oldest first.");
        api.MapGet("/{key}", GetSchedule).WithSummary("One schedule, by id or name.");
        api.MapPost("/{key}/pause", PauseSchedule).WithSummary("Stop submitting until resumed.");
        api.MapPost("/{key}/resume", ResumeSchedule).WithSummary("Submit again from the next tick after now (ticks missed while paused are skipped).");
        api.MapDelete("/{key}", DeleteSchedule).WithSummary("Remove a schedule and its stored bundle; its jobs stay.");
        return app;
    }

    public static async Task<Results<Created<ScheduleView>, ProblemHttpResult>> AddSchedule(
        HttpRequest request, Caller caller, ScheduleCreator creator, JobReader jobs, CancellationToken cancellationToken)
    {
        var (schedule, problem) = await creator.AddAsync(request, caller.Owner, cancellationToken);
        return schedule is null ? problem! : TypedResults.Created($"/api/v1/schedules/{schedule.Id}", await ViewAsync(schedule, jobs, cancellationToken));
    }

    public static async Task<Ok<List<ScheduleView>>> ListSchedules(Caller caller, ScheduleStore store, JobReader jobs, CancellationToken cancellationToken)
    {
        var schedules = await store.ListAsync(caller.IsAdmin ? null : caller.Subject, cancellationToken);
        var views = new List<ScheduleView>(schedules.Count);
        foreach (var schedule in schedules)
        {
            views.Add(await ViewAsync(schedule, jobs, cancellationToken));
        }
        return TypedResults.Ok(views);
    }

    public static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> GetSchedule(
        string key, Caller caller, ScheduleStore store, JobReader jobs, CancellationToken cancellationToken) =>
        await FindAsync(key, caller, store, cancellationToken) is { } schedule
            ? TypedResults.Ok(await ViewAsync(schedule, jobs, cancellationToken))
            : NotFound(key);

    public static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> PauseSchedule(
        string key, Caller caller, ScheduleStore store, JobReader jobs, ILogger<ScheduleCreator> logger, CancellationToken cancellationToken)
    {
        if (await FindAsync(key, caller, store, cancellationToken) is not { } schedule || !await store.PauseAsync(schedule.Id, cancellationToken))
        {
            return NotFound(key);
        }
        Log.ScheduleChanged(logger, schedule.Id, "paused");
        return await CurrentAsync(schedule.Id, key, store, jobs, cancellationToken);
    }

    public static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> ResumeSchedule(
        string key, Caller caller, ScheduleStore store, JobReader jobs, TimeProvider time, ILogger<ScheduleCreator> logger, CancellationToken cancellationToken)
    {
        if (await FindAsync(key, caller, store, cancellationToken) is not { } schedule)
        {
            return NotFound(key);
        }
        if (!CronSchedule.TryParse(schedule.Cron, schedule.TimeZone, out var cron, out var error) || cron!.NextAfter(time.GetUtcNow()) is not { } next)
        {
            return Problems.Conflict("The schedule cannot run again.", error.Message ?? $"'{schedule.Cron}' never fires after now.");
        }
        if (!await store.ResumeAsync(schedule.Id, next, cancellationToken))
        {
            return NotFound(key);
        }
        Log.ScheduleChanged(logger, schedule.Id, "resumed");
        return await CurrentAsync(schedule.Id, key, store, jobs, cancellationToken);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteSchedule(
        string key, Caller caller, ScheduleStore store, JobPaths paths, ILogger<ScheduleCreator> logger, CancellationToken cancellationToken)
    {
        if (await FindAsync(key, caller, store, cancellationToken) is not { } schedule || !await store.DeleteAsync(schedule.Id, cancellationToken))
        {
            return NotFound(key);
        }
        var folder = paths.Schedule(schedule.Id);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        Log.ScheduleChanged(logger, schedule.Id, "removed");
        return TypedResults.NoContent();
    }

    // By id (an admin reaches anyone's), else by the caller's own name.
    private static async Task<ScheduleRecord?> FindAsync(string key, Caller caller, ScheduleStore store, CancellationToken cancellationToken)
    {
        if (JobId.IsValid(key) && await store.GetAsync(key, cancellationToken) is { } byId)
        {
            return caller.CanAccess(byId.Owner.Subject) ? byId : null;
        }
        if (key.Length is 0 or > 64 || caller.Subject.Length == 0 || await store.FindByNameAsync(caller.Subject, key, cancellationToken) is not { } id)
        {
            return null;
        }
        return await store.GetAsync(id, cancellationToken) is { } byName && caller.CanAccess(byName.Owner.Subject) ? byName : null;
    }

    private static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> CurrentAsync(
        string id, string key, ScheduleStore store, JobReader jobs, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } now ? TypedResults.Ok(await ViewAsync(now, jobs, cancellationToken)) : NotFound(key);

    private static async Task<ScheduleView> ViewAsync(ScheduleRecord schedule, JobReader jobs, CancellationToken cancellationToken) => new()
    {
        Id = schedule.Id,
        Name = schedule.Name,
        Cron = schedule.Cron,
        TimeZone = schedule.TimeZone,
        Paused = schedule.Paused,
        NextRunAt = schedule.Paused || schedule.Next == DateTimeOffset.MaxValue ? null : schedule.Next,
        CreatedAt = schedule.CreatedAt,
        Owner = schedule.Owner.Subject,
        Username = schedule.Owner.Username,
        LastTickAt = schedule.LastTick,
        LastJobId = schedule.LastJob,
        LastJobState = schedule.LastJob is { } job ? (await jobs.AccessAsync(job, cancellationToken))?.State : null,
        Spec = schedule.Spec,
    };

    private static ProblemHttpResult NotFound(string key) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Schedule not found.",
            detail: $"There is no schedule '{(key.Length > 64 ? key[..64] + "…" : key)}'.");
}
