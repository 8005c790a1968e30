using System.Text.Json;
using Atlas.Core.SharedVolume;

namespace Atlas.Core.Bundles;

/// <summary>
/// Builds a manifest job's <c>work/</c> from its <c>manifest.json</c> and the owner's blobs, on the
/// worker while the job is starting: the submit only checks, so resubmitting an unchanged project
/// costs no copy at submit (a copy of 100 MB in 5,000 files costs seconds on ext4; hard links
/// would let a job write into a blob other jobs share). The folder is built in a sibling
/// <c>work.partial-*</c> and renamed into place, so a worker that dies mid-build leaves no
/// <c>work/</c> and the next attempt builds it again; one left complete is used as it is.
/// </summary>
public static class WorkFolder
{
    /// <summary>How the folders being built (or left by a crash) start.</summary>
    public const string PartialPrefix = "work.partial-";

    /// <summary>
    /// Builds <c>work/</c> of job <paramref name="id"/> if it is still to be built: there is a
    /// <c>manifest.json</c> and no <c>work/</c>. Returns whether it built it; false for a tarball
    /// job, and for a later attempt, which keeps the folder as it is. The manifest is checked again
    /// (<see cref="ManifestReader.Check"/>, with the limits the master recorded), as the file could
    /// have been changed since the submit. Throws <see cref="BundleRejectedException"/> naming the
    /// file whose blob is missing or has the wrong size, or saying what is wrong with the manifest;
    /// nothing is left behind then.
    /// </summary>
    public static async Task<bool> PrepareAsync(JobPaths paths, string id, int parallelism, CancellationToken cancellationToken)
    {
        var work = paths.Work(id);
        if (Directory.Exists(work))
        {
            return false;
        }
        var manifest = await ReadAsync(paths.Manifest(id), cancellationToken);
        if (manifest is null)
        {
            return false;
        }
        if (!IsScope(manifest.Scope))
        {
            throw new BundleRejectedException(null, "manifest.json names no valid blob scope");
        }
        var checkedManifest = ManifestReader.Check(new BundleManifest { Entries = manifest.Entries }, manifest.Limits ?? BundleLimits.Default);
        var jobDir = paths.Job(id);
        var partial = Path.Combine(jobDir, PartialPrefix + Guid.NewGuid().ToString("n"));
        try
        {
            await checkedManifest.WriteAsync(partial, hash => paths.Blob(manifest.Scope, hash), parallelism, cancellationToken);
            try
            {
                Directory.Move(partial, work);
            }
            catch (IOException) when (Directory.Exists(work))
            {
                // Another attempt (a stale one) built it first from the same manifest: that one stays.
            }
        }
        finally
        {
            TryDelete(partial);
        }
        // What a crashed attempt left; removed once work/ is whole, not before, so a build still
        // running elsewhere is not pulled from under itself.
        foreach (var leftover in Directory.EnumerateDirectories(jobDir, PartialPrefix + "*"))
        {
            TryDelete(leftover);
        }
        return true;
    }

    private static async Task<JobManifest?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var file = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<JobManifest>(file, AtlasJson.Options, cancellationToken)
                ?? throw new BundleRejectedException(null, "manifest.json is null");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException ex)
        {
            throw new BundleRejectedException(null, $"manifest.json is not valid JSON at '{ex.Path}'");
        }
    }

    // The master's scopes are 32 lower-case hex digits; anything else could lead out of blobs/.
    private static bool IsScope(string? scope) =>
        scope is { Length: 32 } && scope.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
