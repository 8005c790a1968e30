using System.Diagnostics;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Bundles;
using Atlas.Core.Jobs;
using Atlas.Core.Scheduling;
using Atlas.Core.SharedVolume;
using Atlas.Core.Storage;
using Atlas.Core.Telemetry;
using Atlas.Master.Blobs;
using Atlas.Master.Options;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Atlas.Master.Submission;

/// <summary>
/// Accepts a submit: reads the multipart body (a <c>spec</c> JSON part and a <c>bundle</c>
/// .tar.gz part, or a <c>manifest</c> JSON part naming uploaded blobs, see
/// <see cref="ManifestBuilder"/>), checks both completely, and only then creates
/// <c>jobs/{id}/</c> on the shared volume and queues the job. The job folder appears by one rename, so a refused or failed
/// submit leaves nothing behind. The 201 is sent after the record is in Redis and the bundle is
/// fsynced. With an <c>Idempotency-Key</c> header, a replay of a submit that was recorded (its
/// answer lost: the master died, the connection broke, the gateway retried) returns that job
/// instead of creating a second one; keys are scoped per user.
/// </summary>
public sealed class JobSubmitter(
    MasterJobStore store, JobReader reader, JobPaths paths, ManifestBuilder manifests, AtlasMetrics metrics, IOptions<MasterOptions> options, TimeProvider time, ILogger<JobSubmitter> logger,
    PlacementStore placement, IOptions<SchedulingOptions> scheduling)
{
    /// <summary>The header a client names its submit by, so a replay is recognised.</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    private const int MaxSpecBytes = 1 << 20;
    private const int MaxIdempotencyKeyLength = 128;

    /// <summary>
    /// With <paramref name="groups"/>, a group submit: the body also has a <c>group</c> part (a
    /// <see cref="GroupSpec"/>), the spec is the template of every job, and the answer is a group.
    /// </summary>
    public async Task<SubmitResult> SubmitAsync(HttpRequest request, JobOwner owner, CancellationToken cancellationToken, GroupSubmitter? groups = null)
    {
        var keys = request.Headers[IdempotencyHeader];
        var key = keys.Count == 0 ? null : keys.ToString();
        if (key is not null && (keys.Count > 1 || key.Length is 0 or > MaxIdempotencyKeyLength || !key.All(c => c is > ' ' and <= '~')))
        {
            return SubmitResult.Rejected(StatusCodes.Status400BadRequest, "The idempotency key is not valid.", IdempotencyHeader,
                $"Send one key of 1 to {MaxIdempotencyKeyLength} visible ASCII characters (a UUID, for example).");
        }
        if (groups is not null && key is not null && await store.FindSubmittedAsync(owner, key, cancellationToken) is { } groupId &&
            await reader.GetGroupAsync(groupId, cancellationToken) is { } earlierGroup)
        {
            return SubmitResult.AcceptedGroup(earlierGroup, replayed: true);
        }
        if (groups is null && key is not null && await ReplayAsync(await store.FindSubmittedAsync(owner, key, cancellationToken), cancellationToken) is { } earlier)
        {
            return earlier; // answered before the body is read: nothing is unpacked twice
        }

        var boundary = GetBoundary(request);
        if (boundary is null)
        {
            return SubmitResult.Rejected(StatusCodes.Status415UnsupportedMediaType, "A submit is a multipart/form-data body.",
                "body", "Send multipart/form-data with a 'spec' part (JSON) and a 'bundle' part (.tar.gz).");
        }

        // The job's trace context is this span's: placements and every attempt hang under it.
        using var activity = AtlasTelemetry.ActivitySource.StartActivity("job.submit");
        var staging = Path.Combine(paths.Uploads, Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(staging);
        try
        {
            var result = await SubmitStagedAsync(request, boundary, staging, owner, key, activity, groups, cancellationToken);
            if (result.Job is null && result.Group is null)
            {
                activity?.SetStatus(ActivityStatusCode.Error, result.Title);
            }
            return result;
        }
        finally
        {
            TryDelete(staging);
        }
    }

    private async Task<SubmitResult> SubmitStagedAsync(
        HttpRequest request, string boundary, string staging, JobOwner owner, string? idempotencyKey, Activity? activity, GroupSubmitter? groups, CancellationToken cancellationToken)
    {
        GroupSpec? group = null;
        var limits = options.Value;
        var bundlePath = Path.Combine(staging, "bundle.tar.gz");
        JobSpec? spec = null;
        var sawSpec = false;
        var sawBundle = false;
        BundleManifest? manifest = null;

        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024 };
        MultipartSection? section;
        try
        {
            while ((section = await reader.ReadNextSectionAsync(cancellationToken)) is not null)
            {
                var name = ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var cd) ? HeaderUtilities.RemoveQuotes(cd.Name).ToString() : null;
                switch (name)
                {
                    case "spec" when !sawSpec:
                        sawSpec = true;
                        var (parsed, error) = await ReadSpecAsync(section.Body, cancellationToken);
                        if (error is not null)
                        {
                            return error;
                        }
                        spec = parsed;
                        break;
                    case "group" when groups is not null && group is null:
                        var (parsedGroup, groupError) = await ReadGroupAsync(section.Body, cancellationToken);
                        if (groupError is not null)
                        {
                            return groupError;
                        }
                        group = parsedGroup;
                        break;
                    case "manifest" when !sawBundle && manifest is null:
                        try
                        {
                            manifest = await ManifestBuilder.ReadAsync(section.Body, BundleLimits(limits), cancellationToken);
                        }
                        catch (BundleRejectedException ex)
                        {
                            return ManifestRefused(ex);
                        }
                        break;
                    case "bundle" when !sawBundle && manifest is null:
                        sawBundle = true;
                        if (!await CopyLimitedAsync(section.Body, bundlePath, limits.MaxBundleBytes, cancellationToken))
                        {
                            return SubmitResult.Rejected(StatusCodes.Status413PayloadTooLarge, "The bundle is too large.",
                                "bundle", $"The bundle is larger than the limit of {limits.MaxBundleBytes} bytes.");
                        }
                        break;
                    default:
                        return SubmitResult.Rejected(StatusCodes.Status400BadRequest, "Unexpected part in the submit.",
                            "body", $"Unexpected or repeated part '{Truncate(name ?? "(no name)")}': send one 'spec' and at most one 'bundle' or 'manifest'.");
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException)
        {
            return SubmitResult.Rejected(StatusCodes.Status400BadRequest, "The multipart body is malformed.", "body", ex.Message);
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return SubmitResult.Rejected(StatusCodes.Status400BadRequest, "The multipart body is malformed.", "body", ex.Message);
        }

        if (!sawSpec)
        {
            return SubmitResult.Rejected(StatusCodes.Status400BadRequest, "The job spec is missing.", "spec", "Send the job spec as a 'spec' part.");
        }
        return await AcceptStagedAsync(spec, sawBundle, staging, null, owner, idempotencyKey, activity, cancellationToken, groups, group, manifest);
    }

    /// <summary>
    /// Submits a job under <paramref name="id"/> from <paramref name="spec"/> and a bundle file on
    /// the shared volume (null for none), with the same checks and steps as an uploaded submit
    /// once its body is read: what a schedule's tick uses. The same id submitted again (after a
    /// crash, or by a new leader) makes no second job: it answers <see cref="SubmitResult.Replay"/>
    /// with the job the first one recorded, and a job folder that an earlier try had already moved
    /// into place (complete: it appears by one rename) is recorded as it is.
    /// </summary>
    public async Task<SubmitResult> SubmitFileAsync(JobSpec spec, string? bundlePath, JobOwner owner, string id, CancellationToken cancellationToken)
    {
        if (await ReplayAsync(id, cancellationToken) is { } earlier)
        {
            return earlier;
        }
        using var activity = AtlasTelemetry.ActivitySource.StartActivity("job.submit");
        var staging = Path.Combine(paths.Uploads, Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(staging);
        try
        {
            if (bundlePath is not null && !Directory.Exists(paths.Job(id)))
            {
                File.Copy(bundlePath, Path.Combine(staging, "bundle.tar.gz"));
            }
            var result = await AcceptStagedAsync(spec with { Env = spec.Env ?? new Dictionary<string, string>() }, bundlePath is not null, staging, id, owner, null, activity, cancellationToken);
            if (result.Job is null)
            {
                activity?.SetStatus(ActivityStatusCode.Error, result.Title);
            }
            return result;
        }
        finally
        {
            TryDelete(staging);
        }
    }

    // The submit once the spec and the bundle are in staging: checks, unpacks, moves the folder
    // into jobs/, records the job. With a given id (a schedule's tick) an existing folder or
    // record of that id is an earlier try of the same submit, never someone else's job. With
    // groups, the spec is the template of a group's jobs and the group is recorded instead.
    private async Task<SubmitResult> AcceptStagedAsync(
        JobSpec? spec, bool sawBundle, string staging, string? givenId, JobOwner owner, string? idempotencyKey, Activity? activity, CancellationToken cancellationToken,
        GroupSubmitter? groups = null, GroupSpec? group = null, BundleManifest? manifest = null)
    {
        var limits = options.Value;
        var errors = JobSpecValidator.Validate(spec);
        if (errors.Count > 0)
        {
            return SubmitResult.Invalid(errors);
        }
        spec = ResourceCheck.WithDefaults(spec!, scheduling.Value);
        // The nodes are read only for a job that asks for resources: most submits need no Redis read here.
        if (spec.Resources is not null && ResourceCheck.Refusal(spec.Resources, await placement.NodeCapacitiesAsync(cancellationToken)) is { } refusal)
        {
            return SubmitResult.Rejected(StatusCodes.Status400BadRequest, "No node has the resources the job asks for.", refusal.Field, refusal.Detail);
        }
        if (groups is not null)
        {
            if (group is null)
            {
                return SubmitResult.Rejected(StatusCodes.Status400BadRequest, "The group is missing.", "group", "Send the group (its sweep or array) as a 'group' part.");
            }
            var groupErrors = groups.Validate(spec!, group);
            if (groupErrors.Count > 0)
            {
                return SubmitResult.Invalid(groupErrors);
            }
        }

        var bundlePath = Path.Combine(staging, "bundle.tar.gz");
        var workDir = Path.Combine(staging, "work");
        var id = givenId ?? JobId.New(time.GetUtcNow());
        var jobDir = paths.Job(id);
        var moved = givenId is not null && Directory.Exists(jobDir);
        if (moved)
        {
            // An earlier try of this submit got as far as the rename; only its record is missing.
        }
        else if (manifest is not null)
        {
            try
            {
                if (groups is null)
                {
                    // No work/: its absence next to manifest.json tells the worker to build it (WorkFolder).
                    await manifests.RecordAsync(manifest, owner, staging, BundleLimits(limits), cancellationToken);
                }
                else
                {
                    await manifests.BuildAsync(manifest, owner, staging, workDir, BundleLimits(limits), cancellationToken);
                }
            }
            catch (BundleRejectedException ex)
            {
                return ManifestRefused(ex);
            }
        }
        else if (sawBundle)
        {
            try
            {
                await BundleReader.ExtractAsync(bundlePath, workDir, BundleLimits(limits), cancellationToken);
            }
            catch (BundleRejectedException ex)
            {
                return ex.TooLarge
                    ? SubmitResult.Rejected(StatusCodes.Status413PayloadTooLarge, "The bundle is too large.", "bundle", ex.Message)
                    : SubmitResult.Rejected(StatusCodes.Status400BadRequest, "The bundle was refused.", "bundle", ex.Message);
            }
        }
        else
        {
            Directory.CreateDirectory(workDir);
        }

        if (groups is not null)
        {
            return await groups.SubmitAsync(spec!, group!, staging, owner, idempotencyKey, activity, cancellationToken);
        }
        activity?.SetTag(AtlasTelemetry.JobIdTag, id);
        activity?.SetTag(AtlasTelemetry.AttemptTag, 1);
        if (!moved)
        {
            await WriteJobFolderAsync(spec!, staging, cancellationToken);
            Directory.Move(staging, jobDir);
        }

        SubmitOutcome recorded;
        try
        {
            recorded = await store.SubmitAsync(id, spec!, owner, activity?.Id ?? Activity.Current?.Id, idempotencyKey, cancellationToken);
        }
        catch (StackExchange.Redis.RedisServerException ex) when (givenId is not null && ex.Message.Contains("EXISTS", StringComparison.Ordinal))
        {
            // Recorded by another try of the same submit in the meantime: that job is the answer, its folder stays.
            return await ReplayAsync(id, cancellationToken) ?? throw new InvalidOperationException($"Job {id} exists and cannot be read.", ex);
        }
        catch
        {
            if (givenId is null)
            {
                TryDelete(jobDir);
            }
            throw;
        }
        if (recorded.RefusedDependency is { } refused)
        {
            TryDelete(jobDir);
            return DependencyRefused(spec!, refused);
        }
        if (recorded.Replayed)
        {
            // A replay raced this submit and the first one won: this copy goes, the first is the answer.
            TryDelete(jobDir);
            return await ReplayAsync(recorded.Id, cancellationToken)
                ?? SubmitResult.Rejected(StatusCodes.Status409Conflict, "The idempotency key names a removed job.", IdempotencyHeader, "Use a new key.");
        }
        var submitted = recorded.SubmittedAt!.Value;
        if (options.Value.KillAfterSubmitRecorded)
        {
            Log.KillingAfterSubmit(logger, id);
            Process.GetCurrentProcess().Kill();
        }

        metrics.Submitted();
        Log.JobSubmitted(logger, id, spec!.Project ?? JobDefaults.Project);
        if ((spec.After is { Count: > 0 } || spec.AfterAny is { Count: > 0 }) && await RecordAsync(id, cancellationToken) is { } withDependencies)
        {
            return SubmitResult.Accepted(withDependencies.View); // held (waitingFor), or already cancelled by a dependency that failed
        }
        return SubmitResult.Accepted(new JobView
        {
            Id = id,
            Name = spec.Name,
            Project = spec.Project ?? JobDefaults.Project,
            Image = spec.Image,
            Command = spec.Command,
            Priority = spec.Priority,
            State = JobState.Queued,
            Owner = owner.Subject,
            Username = owner.Username,
            Attempt = 1,
            SubmittedAt = submitted,
            Params = spec.Params ?? new Dictionary<string, string>(),
            Tags = spec.Tags ?? new Dictionary<string, string>(),
            History = [new JobHistoryEntry(JobState.Queued, submitted)],
        });
    }

    /// <summary>400 naming the dependency field (<c>after</c> or <c>afterAny</c>) and the id: the same words for an unknown job and another user's, so ids cannot be probed.</summary>
    public static SubmitResult DependencyRefused(JobSpec spec, string id) =>
        SubmitResult.Rejected(StatusCodes.Status400BadRequest, "A dependency is not valid.", spec.After?.Contains(id) == true ? "after" : "afterAny",
            $"There is no job '{id}' of yours to wait for.");

    private static async Task<(GroupSpec? Group, SubmitResult? Error)> ReadGroupAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        if (!await CopyLimitedAsync(body, buffer, MaxSpecBytes, cancellationToken))
        {
            return (null, SubmitResult.Rejected(StatusCodes.Status400BadRequest, "The group is too large.", "group", $"The group is larger than {MaxSpecBytes} bytes."));
        }
        try
        {
            var group = JsonSerializer.Deserialize<GroupSpec>(buffer.ToArray(), AtlasJson.Options);
            return group is null
                ? (null, SubmitResult.Rejected(StatusCodes.Status400BadRequest, "The group is missing.", "group", "The group is null."))
                : (group, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "group" : "group." + ex.Path.TrimStart('$', '.');
            return (null, SubmitResult.Rejected(StatusCodes.Status400BadRequest, "The group is not valid JSON.", field,
                $"Could not read the group at '{ex.Path}': {FirstSentence(ex.Message)}"));
        }
    }

    private Task<JobRecord?> RecordAsync(string id, CancellationToken cancellationToken) => reader.GetAsync(id, cancellationToken);

    private static SubmitResult ManifestRefused(BundleRejectedException ex) => ex.TooLarge
        ? SubmitResult.Rejected(StatusCodes.Status413PayloadTooLarge, "The manifest is too large.", "manifest", ex.Message)
        : SubmitResult.Rejected(StatusCodes.Status400BadRequest, "The manifest was refused.", "manifest", ex.Message);

    private async Task<SubmitResult?> ReplayAsync(string? id, CancellationToken cancellationToken)
    {
        if (id is null || await reader.GetAsync(id, cancellationToken) is not { } job)
        {
            return null;
        }
        Log.SubmitReplayed(logger, id);
        return SubmitResult.Replay(job.View);
    }

    private static async Task WriteJobFolderAsync(JobSpec spec, string staging, CancellationToken cancellationToken)
    {
        // No logs/ folder: the worker creates it with the first line the job prints.
        Directory.CreateDirectory(Path.Combine(staging, "artifacts"));
        await using (var file = new FileStream(Path.Combine(staging, "spec.json"), FileMode.CreateNew, FileAccess.Write))
        {
            await JsonSerializer.SerializeAsync(file, spec, AtlasJson.Options, cancellationToken);
            file.Flush(flushToDisk: true);
        }
    }

    internal static async Task<(JobSpec? Spec, SubmitResult? Error)> ReadSpecAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        if (!await CopyLimitedAsync(body, buffer, MaxSpecBytes, cancellationToken))
        {
            return (null, SubmitResult.Rejected(StatusCodes.Status400BadRequest, "The job spec is too large.", "spec", $"The spec is larger than {MaxSpecBytes} bytes."));
        }
        try
        {
            var spec = JsonSerializer.Deserialize<JobSpec>(buffer.ToArray(), AtlasJson.Options);
            return spec is null
                ? (null, SubmitResult.Rejected(StatusCodes.Status400BadRequest, "The job spec is missing.", "spec", "The spec is null."))
                : (spec with { Env = spec.Env ?? new Dictionary<string, string>() }, null); // "env": null means none
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "spec" : ex.Path.TrimStart('$', '.');
            return (null, SubmitResult.Rejected(StatusCodes.Status400BadRequest, "The job spec is not valid JSON.", field,
                $"Could not read the spec at '{ex.Path}': {FirstSentence(ex.Message)}"));
        }
    }

    private static async Task<bool> CopyLimitedAsync(Stream source, string path, long limit, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        if (!await CopyLimitedAsync(source, file, limit, cancellationToken))
        {
            return false;
        }
        file.Flush(flushToDisk: true);
        return true;
    }

    private static async Task<bool> CopyLimitedAsync(Stream source, Stream destination, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > limit)
            {
                return false;
            }
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        return true;
    }

    internal static BundleLimits BundleLimits(MasterOptions options) => Core.Bundles.BundleLimits.Default with
    {
        MaxCompressedBytes = options.MaxBundleBytes,
        MaxUnpackedBytes = options.MaxBundleBytes,
        MaxEntries = options.MaxBundleEntries,
    };

    private static string? GetBoundary(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) ||
            !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).ToString();
        return string.IsNullOrWhiteSpace(boundary) || boundary.Length > 200 ? null : boundary;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
