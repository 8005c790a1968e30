namespace Atlas.Core.Bundles;

/// <summary>
/// <c>jobs/{id}/manifest.json</c>: the manifest a job's <c>work/</c> is built from, the blob scope
/// it was checked in and the limits it was checked with. The master writes it at submit; the
/// worker builds <c>work/</c> from it when the job starts (<see cref="WorkFolder"/>). While the job
/// folder exists, its blobs are kept (the master's blob collector), so the build never lacks one
/// the collector took, and resubmitting the project uploads nothing.
/// </summary>
/// <param name="Scope">The blob scope of the job's owner: <c>blobs/{scope}/</c>.</param>
/// <param name="Entries">The manifest's entries as submitted.</param>
/// <param name="Limits">The limits the master checked the manifest with; the worker checks it again with them (the defaults when absent).</param>
public sealed record JobManifest(string Scope, IReadOnlyList<ManifestEntry> Entries, BundleLimits? Limits = null)
{
    public const string FileName = "manifest.json";
}
