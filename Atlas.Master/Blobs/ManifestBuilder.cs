using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Bundles;
using Atlas.Core.Jobs;

namespace Atlas.Master.Blobs;

/// <summary>
/// The manifest side of a submit: reads the <c>manifest</c> part, checks it with the tarball's
/// rules and limits, checks that the caller has every blob it names, and records it as
/// <c>manifest.json</c> in the staged job folder (so the collector keeps its blobs from then on).
/// A job's <c>work/</c> is built from it by the worker, when the job starts (<see cref="WorkFolder"/>).
/// </summary>
public sealed class ManifestBuilder(BlobStore store)
{
    /// <summary>
    /// The most bytes a manifest may have: a generous line per allowed entry (a path of up to
    /// 1,024 characters, escaped, and a hash).
    /// </summary>
    public static long MaxManifestBytes(BundleLimits limits) => 4096L * limits.MaxEntries + 4096;

    /// <summary>Reads and parses the manifest; throws <see cref="BundleRejectedException"/> when it is too large or not one.</summary>
    public static async Task<BundleManifest> ReadAsync(Stream body, BundleLimits limits, CancellationToken cancellationToken)
    {
        var max = MaxManifestBytes(limits);
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                throw new BundleRejectedException(null, $"the manifest is larger than {max} bytes", tooLarge: true);
            }
            buffer.Write(chunk, 0, read);
        }
        try
        {
            return JsonSerializer.Deserialize<BundleManifest>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), AtlasJson.Options)
                ?? throw new BundleRejectedException(null, "the manifest is null");
        }
        catch (JsonException ex)
        {
            throw new BundleRejectedException(null, $"the manifest is not valid JSON at '{ex.Path}'");
        }
    }

    /// <summary>
    /// Checks <paramref name="manifest"/> and that every blob it names is in the caller's scope
    /// with the right size, and records it as <c>manifest.json</c> in <paramref name="staging"/>
    /// (first, so the collector keeps the blobs from then on). Copies nothing: the worker builds
    /// <c>work/</c> from it when the job starts (<see cref="WorkFolder"/>), so an unchanged
    /// resubmit costs a look-up per file here, not a copy.
    /// </summary>
    public async Task<(CheckedManifest Manifest, string Scope)> RecordAsync(BundleManifest manifest, JobOwner owner, string staging, BundleLimits limits, CancellationToken cancellationToken)
    {
        var checkedManifest = ManifestReader.Check(manifest, limits);
        var scope = BlobStore.Scope(owner);
        await using (var file = new FileStream(Path.Combine(staging, JobManifest.FileName), FileMode.CreateNew, FileAccess.Write))
        {
            await JsonSerializer.SerializeAsync(file, new JobManifest(scope, manifest.Entries, limits), AtlasJson.Options, cancellationToken);
            file.Flush(flushToDisk: true);
        }
        await checkedManifest.CheckBlobsAsync(hash => store.PathOf(scope, hash), Environment.ProcessorCount, cancellationToken);
        return (checkedManifest, scope);
    }

    /// <summary>
    /// <see cref="RecordAsync"/>, then builds <paramref name="workDir"/> now: for a group, whose
    /// jobs are each given a copy of the staged folder at submit.
    /// </summary>
    public async Task<BundleSummary> BuildAsync(BundleManifest manifest, JobOwner owner, string staging, string workDir, BundleLimits limits, CancellationToken cancellationToken)
    {
        var (checkedManifest, scope) = await RecordAsync(manifest, owner, staging, limits, cancellationToken);
        await checkedManifest.WriteAsync(workDir, hash => store.PathOf(scope, hash), Environment.ProcessorCount, cancellationToken);
        return checkedManifest.Summary;
    }
}
