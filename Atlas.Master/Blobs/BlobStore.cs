using System.Security.Cryptography;
using System.Text;
using Atlas.Core.Bundles;
using Atlas.Core.Jobs;
using Atlas.Core.SharedVolume;
using Atlas.Master.Options;
using Microsoft.Extensions.Options;

namespace Atlas.Master.Blobs;

/// <summary>
/// Content-addressed project files on the shared volume: <c>blobs/{scope}/{aa}/{sha256}</c>, one
/// scope per user (a hash of the token's subject), so whether a blob is "missing" for one user
/// never depends on what another uploaded, and no user can probe another's files. A blob is
/// written to <c>blobs/{scope}/tmp/</c>, hashed while it streams in, fsynced, and renamed into
/// place only when its bytes hash to its name: a stored blob is always whole and correct. Blobs
/// are never changed after that; jobs get copies, made by the worker when the job starts
/// (<see cref="WorkFolder"/>). Where a blob lies is <see cref="JobPaths.Blob"/>, shared with the workers.
/// </summary>
public sealed class BlobStore(JobPaths paths, IOptions<MasterOptions> options, TimeProvider time)
{
    /// <summary>The blob store's root on the shared volume.</summary>
    public string Root { get; } = paths.BlobsRoot;

    /// <summary>The caller's scope: a folder name that says nothing about the user.</summary>
    public static string Scope(JobOwner owner) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("atlas-blob-scope\n" + owner.Subject)))[..32];

    public string PathOf(string scope, string sha256) => paths.Blob(scope, sha256);

    /// <summary>
    /// The hashes in <paramref name="hashes"/> that the scope lacks. The ones it has are kept by
    /// the collector for at least half the grace period from now (their time is set to now when
    /// it is older than that): long enough for the submit that names them. Most resubmits so only
    /// read the blobs' times, which matters on NFS, where every write is a round trip.
    /// </summary>
    public IReadOnlyList<string> Missing(string scope, IEnumerable<string> hashes)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var stale = now - TimeSpan.FromSeconds(options.Value.BlobGraceSeconds / 2);
        var missing = new List<string>();
        foreach (var hash in hashes.Distinct(StringComparer.Ordinal))
        {
            var blob = new FileInfo(PathOf(scope, hash));
            if (!blob.Exists)
            {
                missing.Add(hash);
                continue;
            }
            if (blob.LastWriteTimeUtc < stale)
            {
                try
                {
                    File.SetLastWriteTimeUtc(blob.FullName, now);
                }
                catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
                {
                    missing.Add(hash); // collected in between
                }
            }
        }
        return missing;
    }

    /// <summary>Stores <paramref name="body"/> as blob <paramref name="sha256"/> if it hashes to it and is at most <paramref name="maxBytes"/>.</summary>
    public async Task<BlobPut> PutAsync(string scope, string sha256, Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        var tmp = Path.Combine(Root, scope, "tmp");
        Directory.CreateDirectory(tmp);
        var staged = Path.Combine(tmp, Guid.NewGuid().ToString("n"));
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(staged, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                long total = 0;
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    total += read;
                    if (total > maxBytes)
                    {
                        return BlobPut.TooLarge;
                    }
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                if (!string.Equals(Convert.ToHexStringLower(hash.GetHashAndReset()), sha256, StringComparison.Ordinal))
                {
                    return BlobPut.Mismatch;
                }
                file.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows())
            {
                // Copies keep their source's mode: 0644 here means only executables need a chmod per job.
                File.SetUnixFileMode(staged, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
            var final = PathOf(scope, sha256);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            try
            {
                File.Move(staged, final, overwrite: false);
                return BlobPut.Stored;
            }
            catch (IOException) when (File.Exists(final))
            {
                File.SetLastWriteTimeUtc(final, time.GetUtcNow().UtcDateTime);
                return BlobPut.Existed; // same name, same bytes: the first one stays
            }
        }
        finally
        {
            File.Delete(staged); // nothing there once moved
        }
    }
}
