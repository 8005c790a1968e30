using Atlas.Core.Bundles;

namespace Atlas.Master.Blobs;

/// <summary>
/// <c>jobs/{id}/manifest.json</c>: the manifest a job was built from and the blob scope it was
/// read in. While the job folder exists, its blobs are kept (<see cref="BlobCollector"/>), so
/// resubmitting the project uploads nothing.
/// </summary>
public sealed record JobManifest(string Scope, IReadOnlyList<ManifestEntry> Entries)
{
    public const string FileName = "manifest.json";
}
