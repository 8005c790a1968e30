using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Atlas.Core;
using Atlas.Core.Bundles;
using Atlas.Core.Jobs;
using Atlas.Core.Schedules;
using Atlas.Core.SharedVolume;
using Atlas.Core.Storage;
using Atlas.Master.Options;
using Atlas.Master.Submission;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Atlas.Master.Schedules;

/// <summary>
/// Adds a schedule from a multipart body: <c>cron</c>, optional <c>name</c> and <c>timezone</c>
/// fields, a <c>spec</c> JSON part and a <c>bundle</c> .tar.gz part, as a submit sends them. The
/// spec and the bundle get a submit's checks now, so a tick is not refused later for what could
/// be said at once; then both go to <c>schedules/{id}/</c> on the shared volume (by one rename)
/// and the schedule to Redis. A refused add leaves nothing behind.
/// </summary>
public sealed partial class ScheduleCreator(ScheduleStore store, JobPaths paths, IOptions<MasterOptions> options, TimeProvider time, ILogger<ScheduleCreator> logger)
{
    private const int MaxNameLength = 64;

    /// <summary>The new schedule, or the problem (400, 409, 413, 415) that refused it.</summary>
    public async Task<(ScheduleRecord? Schedule, ProblemHttpResult? Problem)> AddAsync(HttpRequest request, JobOwner owner, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return Refused(StatusCodes.Status415UnsupportedMediaType, "body", "Send multipart/form-data with 'cron', 'spec' (JSON) and 'bundle' (.tar.gz) parts.");
        }
        var limits = options.Value;
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions
            {
                MultipartBodyLengthLimit = limits.MaxBundleBytes + (4 << 20),
                ValueLengthLimit = 1 << 20,
                ValueCountLimit = 16,
                MultipartHeadersLengthLimit = 16 * 1024,
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) && !ex.Message.Contains("header", StringComparison.OrdinalIgnoreCase)
                ? Refused(StatusCodes.Status413PayloadTooLarge, "bundle", $"The body is larger than the bundle limit of {limits.MaxBundleBytes} bytes.")
                : Refused(StatusCodes.Status400BadRequest, "body", ex.Message);
        }

        var name = Single(form, "name");
        if (name is not null && (name.Length is 0 or > MaxNameLength || !NamePattern().IsMatch(name) || JobId.IsValid(name)))
        {
            return Refused(StatusCodes.Status400BadRequest, "name",
                $"1 to {MaxNameLength} letters, digits, '.', '_' and '-', starting with a letter or digit, and not shaped like a schedule id.");
        }
        if (!CronSchedule.TryParse(Single(form, "cron"), Single(form, "timezone"), out var cron, out var cronError))
        {
            return Refused(StatusCodes.Status400BadRequest, cronError.Field, cronError.Message);
        }
        var now = time.GetUtcNow();
        if (cron!.NextAfter(now) is not { } next)
        {
            return Refused(StatusCodes.Status400BadRequest, "cron", $"'{Single(form, "cron")}' never fires after now.");
        }

        if (Single(form, "spec") is not { } specText)
        {
            return Refused(StatusCodes.Status400BadRequest, "spec", "Send the job spec as a 'spec' part.");
        }
        var (spec, specError) = await JobSubmitter.ReadSpecAsync(new MemoryStream(Encoding.UTF8.GetBytes(specText)), cancellationToken);
        if (specError is not null)
        {
            return (null, Problem(specError.Status, specError.Title!, specError.Errors!));
        }
        var errors = JobSpecValidator.Validate(ScheduledSpec.ForTick(spec!, JobId.New(now), now));
        if (errors.Count > 0)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "The job spec is not valid.", errors));
        }

        if (form.Files.GetFiles("bundle") is not [var bundle])
        {
            return Refused(StatusCodes.Status400BadRequest, "bundle", "Send one 'bundle' part (.tar.gz): what every tick runs.");
        }
        if (bundle.Length > limits.MaxBundleBytes)
        {
            return Refused(StatusCodes.Status413PayloadTooLarge, "bundle", $"The bundle is larger than the limit of {limits.MaxBundleBytes} bytes.");
        }

        var id = JobId.New(now);
        var staging = Path.Combine(paths.Uploads, Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(staging);
        try
        {
            var bundlePath = Path.Combine(staging, "bundle.tar.gz");
            await using (var file = new FileStream(bundlePath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await bundle.CopyToAsync(file, cancellationToken);
                file.Flush(flushToDisk: true);
            }
            try
            {
                await BundleReader.ValidateAsync(bundlePath, JobSubmitter.BundleLimits(limits), cancellationToken);
            }
            catch (BundleRejectedException ex)
            {
                return ex.TooLarge
                    ? Refused(StatusCodes.Status413PayloadTooLarge, "bundle", ex.Message)
                    : Refused(StatusCodes.Status400BadRequest, "bundle", ex.Message);
            }
            await using (var file = new FileStream(Path.Combine(staging, "spec.json"), FileMode.CreateNew, FileAccess.Write))
            {
                await JsonSerializer.SerializeAsync(file, spec, AtlasJson.Options, cancellationToken);
                file.Flush(flushToDisk: true);
            }

            var schedule = new ScheduleRecord
            {
                Id = id,
                Name = name,
                Cron = Single(form, "cron")!.Trim(),
                TimeZone = Single(form, "timezone") is { Length: > 0 } zone ? zone : CronSchedule.DefaultTimeZone,
                Owner = owner,
                Spec = spec!,
                Next = next,
                CreatedAt = now,
            };
            Directory.CreateDirectory(paths.SchedulesRoot);
            var folder = paths.Schedule(id);
            Directory.Move(staging, folder);
            bool added;
            try
            {
                added = await store.AddAsync(schedule, cancellationToken);
            }
            catch
            {
                Directory.Delete(folder, recursive: true);
                throw;
            }
            if (!added)
            {
                Directory.Delete(folder, recursive: true);
                return (null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The name is taken.",
                    detail: $"name: you already have a schedule named '{name}'; remove it or choose another name.",
                    extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["name"] = [$"You already have a schedule named '{name}'."] } }));
            }
            Log.ScheduleAdded(logger, id, schedule.Cron, schedule.TimeZone, next);
            return (schedule, null);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static string? Single(IFormCollection form, string field) =>
        form.TryGetValue(field, out var values) && values.Count > 0 ? values[0] : null;

    private static (ScheduleRecord?, ProblemHttpResult?) Refused(int status, string field, string message) =>
        (null, Problem(status, status switch
        {
            StatusCodes.Status413PayloadTooLarge => "The bundle is too large.",
            StatusCodes.Status415UnsupportedMediaType => "A schedule is added with a multipart/form-data body.",
            _ => "The schedule is not valid.",
        }, new Dictionary<string, string[]> { [field] = [message] }));

    private static ProblemHttpResult Problem(int status, string title, IDictionary<string, string[]> errors) =>
        TypedResults.Problem(statusCode: status, title: title,
            detail: string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex NamePattern();
}
