namespace Atlas.Core.Bundles;

/// <summary>
/// A project folder described by content instead of shipped as a tarball: every file names the
/// SHA-256 of its bytes, which the cluster already holds or the client uploads first
/// (<c>POST /api/v1/blobs/missing</c>, <c>PUT /api/v1/blobs/{sha256}</c>). It passes the same
/// checks as a tarball (<see cref="ManifestReader"/>).
/// </summary>
public sealed record BundleManifest
{
    /// <summary>Files, folders and symbolic links, each path once. Folders above a file need no entry.</summary>
    public IReadOnlyList<ManifestEntry> Entries { get; init; } = [];
}
