using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Atlas.Api.Auth;
using Atlas.Core.Jobs;
using Atlas.Master.Table;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Atlas.Master.Apis;

/// <summary>
/// The job table, <c>/api/v1/jobs/query</c>: filtered, sorted, paged on the server (the Atlas
/// dashboard's table), and <c>/api/v1/jobs/query/events</c>, a server-sent event each time any
/// job changes, so a page can reload itself. A caller sees only their own jobs unless an admin.
/// </summary>
public static class JobTableApi
{
    private static readonly TimeSpan EventsInterval = TimeSpan.FromSeconds(1);
    private const int KeepAliveTicks = 15;

    public static IEndpointRouteBuilder MapJobTableApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/jobs/query").WithTags("Jobs");
        api.MapGet("/", QueryJobs).WithSummary("One page of the job table: filter by project, user, state and tag; sort by any column, param:NAME or tag:NAME.");
        api.MapGet("/projects", ListProjects).WithSummary("Every project with jobs the caller may see, most recently used first.");
        api.MapGet("/events", JobEvents).WithSummary("Server-sent events: {\"version\":N} whenever a job changes.");
        return app;
    }

    public static async Task<Results<Ok<JobTablePage>, ProblemHttpResult>> QueryJobs(
        Caller caller, JobTableIndex index, string? project, string? user, string? state, string? tag, string? sort, string? order,
        string? cursor, int? limit, CancellationToken cancellationToken)
    {
        var (query, field, error) = JobTableQuery.Parse(project, user, state, tag, sort, order, cursor, limit);
        if (query is null)
        {
            return Problems.Invalid(field!, error!);
        }
        var (rows, version) = await index.CurrentAsync(cancellationToken);
        return TypedResults.Ok(query.Run(rows, version, caller.IsAdmin ? null : caller.Subject));
    }

    public static async Task<Ok<IReadOnlyList<ProjectSummary>>> ListProjects(Caller caller, JobTableIndex index, CancellationToken cancellationToken)
    {
        var (rows, _) = await index.CurrentAsync(cancellationToken);
        var owner = caller.IsAdmin ? null : caller.Subject;
        IReadOnlyList<ProjectSummary> projects = [.. rows
            .Where(r => owner is null || string.Equals(r.Owner, owner, StringComparison.Ordinal))
            .GroupBy(r => r.Project, StringComparer.Ordinal)
            .Select(g => new ProjectSummary(
                g.Key,
                g.Count(),
                g.Count(r => !JobStateMachine.IsTerminal(r.State)),
                [.. g.Select(r => r.Username ?? "").Where(u => u.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                g.Max(r => r.SubmittedAt)))
            .OrderByDescending(p => p.LastSubmittedAt)];
        return TypedResults.Ok(projects);
    }

    public static ServerSentEventsResult<JobTableVersion> JobEvents(JobTableIndex index, TimeProvider time, CancellationToken cancellationToken) =>
        TypedResults.ServerSentEvents(Versions(index, time, cancellationToken));

    private static async IAsyncEnumerable<SseItem<JobTableVersion>> Versions(
        JobTableIndex index, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long last = -1;
        var quiet = 0;
        using var timer = new PeriodicTimer(EventsInterval, time);
        do
        {
            var (_, version) = await index.CurrentAsync(cancellationToken);
            // The same version again now and then keeps proxies from cutting an idle stream.
            if (version != last || ++quiet >= KeepAliveTicks)
            {
                last = version;
                quiet = 0;
                yield return new SseItem<JobTableVersion>(new JobTableVersion(version));
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }
}
