using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Bundles;
using Atlas.Core.SharedVolume;
using Atlas.Master.Options;
using Microsoft.Extensions.Options;

namespace Atlas.Master.Blobs;

/// <summary>
/// Removes blobs nothing needs: a blob is kept while a job folder (<c>jobs/{id}/manifest.json</c>)
/// or a submit being checked (<c>uploads/*/manifest.json</c>) names it in its scope, and for
/// <see cref="MasterOptions.BlobGraceSeconds"/> after its time, which is set when it is uploaded
/// and refreshed by <c>POST /api/v1/blobs/missing</c> (<see cref="BlobStore.Missing"/>), so a blob
/// reported present outlives the time between that answer and the submit.
/// The references are read before the blobs are listed, and a manifest that cannot be read
/// stops the pass: in doubt, nothing is removed. A job folder keeps its manifest.json for as long
/// as it exists, so the blobs a queued job's <c>work/</c> will be built from (by the worker, when
/// it starts: <see cref="WorkFolder"/>) are never removed before then.
/// Run by <see cref="BlobSweeper"/> on the leader.
/// </summary>
public sealed class BlobCollector(JobPaths paths, BlobStore store, IOptions<MasterOptions> options, TimeProvider time, ILogger<BlobCollector> logger)
{
    /// <summary>One pass; returns how many blobs (and stale partial uploads) were removed.</summary>
    public async Task<int> CollectAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(store.Root))
        {
            return 0;
        }
        var referenced = await ReferencedAsync(cancellationToken);
        if (referenced is null)
        {
            return 0;
        }
        var cutoff = time.GetUtcNow().UtcDateTime - TimeSpan.FromSeconds(options.Value.BlobGraceSeconds);
        var removed = 0;
        foreach (var scope in Directory.EnumerateDirectories(store.Root))
        {
            var scopeName = Path.GetFileName(scope);
            foreach (var file in Directory.EnumerateFiles(scope, "*", SearchOption.AllDirectories))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = Path.GetFileName(file);
                var isPartial = Path.GetFileName(Path.GetDirectoryName(file)) == "tmp";
                if ((isPartial || !referenced.Contains((scopeName, name))) && File.GetLastWriteTimeUtc(file) < cutoff && TryDelete(file))
                {
                    removed++;
                }
            }
        }
        if (removed > 0)
        {
            Log.BlobsCollected(logger, removed);
        }
        return removed;
    }

    private async Task<HashSet<(string Scope, string Sha256)>?> ReferencedAsync(CancellationToken cancellationToken)
    {
        var referenced = new HashSet<(string, string)>();
        // uploads/ before jobs/: a submit that moves its folder from one to the other between
        // the two listings is then seen in one of them.
        var manifests = new[] { paths.Uploads, paths.JobsRoot }
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories)
            .Select(dir => Path.Combine(dir, JobManifest.FileName));
        foreach (var path in manifests)
        {
            try
            {
                await using var file = File.OpenRead(path);
                var manifest = await JsonSerializer.DeserializeAsync<JobManifest>(file, AtlasJson.Options, cancellationToken);
                foreach (var entry in manifest?.Entries ?? [])
                {
                    if (entry.Sha256 is { } hash)
                    {
                        referenced.Add((manifest!.Scope, hash));
                    }
                }
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                // A tarball job, or a folder removed meanwhile: it names no blob.
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
            {
                Log.BlobCollectionSkipped(logger, path, ex);
                return null;
            }
        }
        return referenced;
    }

    private static bool TryDelete(string file)
    {
        try
        {
            File.Delete(file);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
