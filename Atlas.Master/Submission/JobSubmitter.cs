using System.Diagnostics;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Bundles;
using Atlas.Core.Jobs;
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
    MasterJobStore store, JobReader reader, JobPaths paths, ManifestBuilder manifests, AtlasMetrics metrics, IOptions<MasterOptions> options, TimeProvider time, ILogger<JobSubmitter> logger)
{
    /// <summary>The header a client names its submit by, so a replay is recognised.</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    private const int MaxSpecBytes = 1 << 20;
    private const int MaxIdempotencyKeyLength = 128;

    public async Task<SubmitResult> SubmitAsync(HttpRequest request, JobOwner owner, CancellationToken cancellationToken)
    {
        var keys = request.Headers[IdempotencyHeader];
        var key = keys.Count == 0 ? null : keys.ToString();
        if (key is not null && (keys.Count > 1 || key.Length is 0 or > MaxIdempotencyKeyLength || !key.All(c => c is > ' ' and <= '~')))
        {
            return SubmitResult.Rejected(StatusCodes.Status400BadRequest, "The idempotency key is not valid.", IdempotencyHeader,
                $"Send one key of 1 to {MaxIdempotencyKeyLength} visible ASCII characters (a UUID, for example).");
        }
        if (key is not null && await ReplayAsync(await store.FindSubmittedAsync(owner, key, cancellationToken), cancellationToken) is { } earlier)
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
            var result = await SubmitStagedAsync(request, boundary, staging, owner, key, activity, cancellationToken);
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

    private async Task<SubmitResult> SubmitStagedAsync(
        HttpRequest request, string boundary, string staging, JobOwner owner, string? idempotencyKey, Activity? activity, CancellationToken cancellationToken)
    {
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
        var errors = JobSpecValidator.Validate(spec);
        if (errors.Count > 0)
        {
            return SubmitResult.Invalid(errors);
        }

        var workDir = Path.Combine(staging, "work");
        if (manifest is not null)
        {
            try
            {
                await manifests.BuildAsync(manifest, owner, staging, workDir, BundleLimits(limits), cancellationToken);
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

        var id = JobId.New(time.GetUtcNow());
        activity?.SetTag(AtlasTelemetry.JobIdTag, id);
        activity?.SetTag(AtlasTelemetry.AttemptTag, 1);
        await WriteJobFolderAsync(spec!, staging, cancellationToken);
        var jobDir = paths.Job(id);
        Directory.Move(staging, jobDir);

        SubmitOutcome recorded;
        try
        {
            recorded = await store.SubmitAsync(id, spec!, owner, activity?.Id ?? Activity.Current?.Id, idempotencyKey, cancellationToken);
        }
        catch
        {
            TryDelete(jobDir);
            throw;
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

    private static async Task<(JobSpec? Spec, SubmitResult? Error)> ReadSpecAsync(Stream body, CancellationToken cancellationToken)
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

    private static BundleLimits BundleLimits(MasterOptions options) => Core.Bundles.BundleLimits.Default with
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
