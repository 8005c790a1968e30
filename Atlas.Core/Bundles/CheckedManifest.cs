namespace Atlas.Core.Bundles;

/// <summary>
/// A manifest that passed <see cref="ManifestReader.Check"/>: what it holds, the blobs it needs,
/// and how to build the project folder from them.
/// </summary>
public sealed class CheckedManifest
{
    internal sealed record Item(CheckedEntry Entry, string Sha256, long Size);

    private readonly IReadOnlyList<Item> _files;
    private readonly IReadOnlyList<CheckedEntry> _others;

    internal CheckedManifest(BundleSummary summary, IReadOnlyList<Item> files, IReadOnlyList<CheckedEntry> others)
    {
        Summary = summary;
        _files = files;
        _others = others;
    }

    public BundleSummary Summary { get; }

    /// <summary>Every blob the files name, each once.</summary>
    public IReadOnlyCollection<string> Hashes => _files.Select(f => f.Sha256).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Checks that every blob the files name is there with the file's size, without reading any:
    /// what a submit checks, so a job is refused at once rather than failing when it starts.
    /// Throws <see cref="BundleRejectedException"/> naming the first file whose blob is missing or
    /// has the wrong size. <paramref name="blobPath"/> says where the blob with a given SHA-256 lies.
    /// </summary>
    public Task CheckBlobsAsync(Func<string, string> blobPath, int parallelism, CancellationToken cancellationToken) =>
        // Several at once: on NFS every look-up is a round trip.
        Parallel.ForEachAsync(_files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken }, (file, _) =>
        {
            BlobOf(file, blobPath);
            return ValueTask.CompletedTask;
        });

    /// <summary>
    /// Builds the project under <paramref name="destination"/> (which must not exist yet or be
    /// empty): folders, then every file as a copy of its blob, then the symbolic links, last, so
    /// nothing is ever written through one. A copy, not a hard link: a job may write to its
    /// files (as root in a container, read-only bits do not stop it), and must not change the
    /// blob another job is built from. .NET's File.Copy clones the file (FICLONE) where the
    /// file system can, so on btrfs or XFS the copy shares the blocks until a job writes.
    /// Blobs are expected to be mode 0644, as the master's blob store writes them: a copy keeps
    /// its blob's mode, so only executables get a chmod.
    /// Throws <see cref="BundleRejectedException"/> when a blob is missing or has the wrong size;
    /// what was written by then is the caller's to delete. <paramref name="blobPath"/> says where
    /// the blob with a given SHA-256 lies; up to <paramref name="parallelism"/> files are copied at once.
    /// </summary>
    public async Task WriteAsync(string destination, Func<string, string> blobPath, int parallelism, CancellationToken cancellationToken)
    {
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
        {
            throw new IOException($"The destination '{destination}' is not empty.");
        }
        var root = Path.GetFullPath(destination);
        Directory.CreateDirectory(root);
        foreach (var folder in _others.Where(e => e.Kind == EntryKind.Directory).Select(e => e.Path)
                     .Concat(_files.Select(f => Path.GetDirectoryName(f.Entry.Path)!).Where(p => p.Length > 0)).Distinct(StringComparer.Ordinal))
        {
            Directory.CreateDirectory(Path.Combine(root, folder));
        }
        await Parallel.ForEachAsync(_files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken }, (file, _) =>
        {
            var blob = BlobOf(file, blobPath);
            var full = Path.Combine(root, file.Entry.Path);
            // File.Copy keeps the blob's mode, 0644 (BlobStore stores them so): only executables need a chmod.
            try
            {
                File.Copy(blob.FullName, full);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException && !File.Exists(blob.FullName))
            {
                // Removed between the check and the copy.
                throw new BundleRejectedException(BundleRules.Printable(file.Entry.Path), $"its blob {file.Sha256} has not been uploaded");
            }
            if (file.Entry.Executable && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(full, BundleWriter.Executable);
            }
            return ValueTask.CompletedTask;
        });
        foreach (var link in _others.Where(e => e.Kind == EntryKind.Symlink))
        {
            File.CreateSymbolicLink(Path.Combine(root, link.Path), link.LinkTarget!);
        }
    }

    private static FileInfo BlobOf(Item file, Func<string, string> blobPath)
    {
        var blob = new FileInfo(blobPath(file.Sha256));
        if (!blob.Exists || blob.Length != file.Size)
        {
            throw new BundleRejectedException(BundleRules.Printable(file.Entry.Path), blob.Exists
                ? $"its blob {file.Sha256} has {blob.Length} bytes, not {file.Size}"
                : $"its blob {file.Sha256} has not been uploaded");
        }
        return blob;
    }
}
