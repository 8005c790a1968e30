using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Atlas.Api.Auth;
using Atlas.Core.Jobs;
using Atlas.Core.SharedVolume;
using Atlas.Core.Storage;
using Atlas.Core.Tracking;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Atlas.Master.Apis;

/// <summary>
/// What jobs reported: <c>/api/v1/jobs/{id}/metrics</c> (series, or live over server-sent events),
/// <c>/api/v1/jobs/{id}/artifacts</c> (list and download) and <c>/api/v1/projects/{project}/runs</c>
/// (many jobs' params, tags and metric summaries at once). Ownership as everywhere: another
/// user's job is a 404, and a project's runs are the caller's own jobs in it (an admin's: everyone's).
/// </summary>
public static partial class TrackingApi
{
    private const int MaxNames = 100;
    private const int MaxArtifacts = 10_000;
    private const int LiveBatch = 1_000;
    private static readonly TimeSpan LivePoll = TimeSpan.FromMilliseconds(250);

    public static IEndpointRouteBuilder MapTrackingApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/v1/jobs").WithTags("Tracking");
        jobs.MapGet("/{id}/metrics", GetMetrics)
            .WithSummary("The job's metric series; with Accept: text/event-stream, each new point as it comes (from ?since=<cursor>) until the job ends.");
        jobs.MapGet("/{id}/artifacts", ListArtifacts).WithSummary("The files the job saved under ATLAS_OUTPUT_DIR.");
        jobs.MapGet("/{id}/artifacts/{**path}", GetArtifact).WithSummary("Download one artifact.");
        app.MapGroup("/api/v1/projects").WithTags("Tracking").MapGet("/{project}/runs", ListRuns)
            .WithSummary("A project's jobs with their params, tags and the last, min and max of chosen metrics (?metrics=loss,acc).");
        return app;
    }

    public static async Task<Results<Ok<MetricsView>, ServerSentEventsResult<MetricEvent>, ProblemHttpResult>> GetMetrics(
        string id, string? names, string? since, HttpRequest request, Caller caller, JobReader store, TrackingReader reader, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!JobId.IsValid(id) || await store.AccessAsync(id, cancellationToken) is not { } access || !caller.CanAccess(access.Owner))
        {
            return Problems.JobNotFound(id);
        }
        if (!TryNames(names, out var wanted))
        {
            return Problems.Invalid("names", $"Comma-separated metric names, at most {MaxNames}, each 1 to {TrackingLineParser.MaxNameLength} printable characters.");
        }
        if (!request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true))
        {
            return TypedResults.Ok(await reader.MetricsAsync(id, wanted, cancellationToken));
        }
        if (since is not null && !Cursor().IsMatch(since))
        {
            return Problems.Invalid("since", "A cursor from an earlier answer (its 'cursor' field or an event's id), or 0 for the start.");
        }
        return TypedResults.ServerSentEvents(FollowAsync(request.HttpContext.Response, id, since ?? "0", wanted, store, reader, time, cancellationToken));
    }

    // Reads the job's state before each read of the feed: once the job had ended before a read,
    // that read held its last points and the stream ends. The headers go out at once, so a
    // client knows it is following before the first point comes.
    private static async IAsyncEnumerable<SseItem<MetricEvent>> FollowAsync(
        HttpResponse response, string id, string cursor, IReadOnlyCollection<string>? names, JobReader store, TrackingReader reader, TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await response.Body.FlushAsync(cancellationToken);
        while (true)
        {
            var state = await store.StateAsync(id, cancellationToken);
            var ended = state is null || JobStateMachine.IsTerminal(state.Value);
            var events = await reader.LiveAsync(id, cursor, names, LiveBatch, cancellationToken);
            foreach (var (at, e) in events)
            {
                cursor = at;
                yield return new SseItem<MetricEvent>(e) { EventId = at };
            }
            if (events.Count == LiveBatch)
            {
                continue;
            }
            if (ended)
            {
                yield break;
            }
            await Task.Delay(LivePoll, time, cancellationToken);
        }
    }

    public static async Task<Results<Ok<IReadOnlyList<ArtifactView>>, ProblemHttpResult>> ListArtifacts(
        string id, Caller caller, JobReader store, JobPaths paths, CancellationToken cancellationToken)
    {
        if (!JobId.IsValid(id) || await store.AccessAsync(id, cancellationToken) is not { } access || !caller.CanAccess(access.Owner))
        {
            return Problems.JobNotFound(id);
        }
        var root = paths.Artifacts(id);
        if (!Directory.Exists(root))
        {
            return TypedResults.Ok<IReadOnlyList<ArtifactView>>([]);
        }
        // Links are left out: a job could point one anywhere on the node.
        var files = new DirectoryInfo(root)
            .EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true })
            .Take(MaxArtifacts)
            .Select(f => new ArtifactView(Path.GetRelativePath(root, f.FullName), f.Length, f.LastWriteTimeUtc))
            .OrderBy(a => a.Path, StringComparer.Ordinal)
            .ToList();
        return TypedResults.Ok<IReadOnlyList<ArtifactView>>(files);
    }

    public static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> GetArtifact(
        string id, string path, Caller caller, JobReader store, JobPaths paths, CancellationToken cancellationToken)
    {
        if (!JobId.IsValid(id) || await store.AccessAsync(id, cancellationToken) is not { } access || !caller.CanAccess(access.Owner))
        {
            return Problems.JobNotFound(id);
        }
        if (path.Contains('\0', StringComparison.Ordinal) || TrackingLineParser.ArtifactPath(path, null) is not { } relative)
        {
            return Problems.Invalid("path", "The path leaves the job's output folder.");
        }
        var root = paths.Artifacts(id);
        var full = Path.Combine(root, relative);
        if (!File.Exists(full) || ThroughLink(root, full))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Artifact not found.", detail: $"Job {id} has no artifact '{relative}'.");
        }
        return TypedResults.PhysicalFile(full, "application/octet-stream", Path.GetFileName(full), enableRangeProcessing: true);
    }

    public static async Task<Results<Ok<IReadOnlyList<RunView>>, ProblemHttpResult>> ListRuns(
        string project, string? metrics, int? limit, Caller caller, JobReader store, TrackingReader reader, CancellationToken cancellationToken)
    {
        if (project.Length > 128)
        {
            return Problems.Invalid("project", "At most 128 characters.");
        }
        if (!TryNames(metrics, out var wanted))
        {
            return Problems.Invalid("metrics", $"Comma-separated metric names, at most {MaxNames}, each 1 to {TrackingLineParser.MaxNameLength} printable characters.");
        }
        if (limit is < 1 or > 1_000)
        {
            return Problems.Invalid("limit", "Must be between 1 and 1000.");
        }
        var jobs = await store.ListAsync(caller.IsAdmin ? null : caller.Subject, project, null, limit ?? 100, cancellationToken);
        return TypedResults.Ok(await reader.RunsAsync(jobs, wanted, cancellationToken));
    }

    private static bool TryNames(string? list, out IReadOnlyCollection<string>? names)
    {
        names = null;
        if (list is null)
        {
            return true;
        }
        var parts = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > MaxNames || !parts.All(TrackingLineParser.IsName))
        {
            return false;
        }
        names = new HashSet<string>(parts, StringComparer.Ordinal);
        return true;
    }

    // A link anywhere between the output folder and the file could lead out of it.
    private static bool ThroughLink(string root, string full)
    {
        for (var at = full; at.Length > root.Length; at = Path.GetDirectoryName(at)!)
        {
            if (new FileInfo(at).LinkTarget is not null)
            {
                return true;
            }
        }
        return false;
    }

    [GeneratedRegex(@"^\d{1,20}(-\d{1,20})?$", RegexOptions.CultureInvariant)]
    private static partial Regex Cursor();
}
