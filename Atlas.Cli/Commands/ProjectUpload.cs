using Atlas.Cli.Api;
using Atlas.Cli.Packing;
using Atlas.Core.Jobs;

namespace Atlas.Cli.Commands;

/// <summary>
/// Sends a project folder with a submit, content-addressed: hashes its files (cached, so an
/// unchanged project is not read again), asks the cluster which blobs it lacks, uploads only
/// those (a few at once, with a progress bar on a terminal) and submits the manifest. A cluster
/// without the blob API (404) gets the folder as a .tar.gz, as before.
/// </summary>
internal static class ProjectUpload
{
    /// <summary>How many blobs are uploaded at once.</summary>
    public const int Concurrency = 4;

    public static async Task<JobView> SubmitAsync(AtlasApiClient client, JobSpec spec, string folder, CliContext context, CancellationToken cancellationToken)
    {
        var pack = await ManifestPacker.PackAsync(folder, context.Home, context.Time, cancellationToken);
        IReadOnlyList<string> missing;
        try
        {
            missing = await client.FindMissingBlobsAsync([.. pack.Blobs.Keys], cancellationToken);
        }
        catch (AtlasApiException ex) when (ex.Status is 404 or 405)
        {
            return await SubmitTarballAsync(client, spec, folder, context, cancellationToken);
        }

        var uploads = missing.Where(pack.Blobs.ContainsKey).Select(h => (Sha256: h, pack.Blobs[h].Path, pack.Blobs[h].Size)).ToList();
        if (uploads.Count > 0)
        {
            var total = uploads.Sum(u => u.Size);
            var label = uploads.Count == pack.Blobs.Count ? $"uploading {pack.Files} files" : $"uploading {uploads.Count} of {pack.Files} files";
            await UploadProgress.RunAsync(context, label, async report =>
            {
                long sent = 0;
                await Parallel.ForEachAsync(uploads, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (upload, ct) =>
                {
                    long last = 0;
                    await client.UploadBlobAsync(upload.Sha256, upload.Path, report is null ? null : (done, _) =>
                    {
                        report(Interlocked.Add(ref sent, done - last), total);
                        last = done;
                    }, ct);
                });
                return true;
            });
        }
        return await client.SubmitManifestAsync(spec, pack.Manifest, cancellationToken);
    }

    private static Task<JobView> SubmitTarballAsync(AtlasApiClient client, JobSpec spec, string folder, CliContext context, CancellationToken cancellationToken) =>
        WithTarballAsync(folder, context, (bundle, report) => client.SubmitAsync(spec, bundle, report, cancellationToken), cancellationToken);

    /// <summary>Packs <paramref name="folder"/> into a temporary .tar.gz, sends it with <paramref name="send"/> (with upload progress) and deletes it.</summary>
    public static async Task<T> WithTarballAsync<T>(string folder, CliContext context, Func<string, Action<long, long>?, Task<T>> send, CancellationToken cancellationToken)
    {
        var bundlePath = Path.Combine(Path.GetTempPath(), $"atlas-{Guid.NewGuid():n}.tar.gz");
        try
        {
            var packed = await BundlePacker.PackAsync(folder, bundlePath, cancellationToken);
            return await UploadProgress.RunAsync(context, $"uploading {packed.Files} files", report => send(bundlePath, report));
        }
        finally
        {
            File.Delete(bundlePath);
        }
    }
}
