namespace Atlas.Core.Bundles;

/// <summary>One path of a <see cref="BundleManifest"/>.</summary>
/// <param name="Path">Relative, '/'-separated: no '..', no leading '/', no drive letter.</param>
/// <param name="Type">What the path is; a file when left out.</param>
/// <param name="Sha256">For a file: the SHA-256 of its bytes, 64 lower-case hex digits.</param>
/// <param name="Size">For a file: its length in bytes, which the blob must have.</param>
/// <param name="Mode">Unix permission bits (420 = 0644); only the executable bits are kept, as for a tarball.</param>
/// <param name="Target">For a symbolic link: its target, which must stay inside the project.</param>
public sealed record ManifestEntry(string Path, ManifestEntryType Type = ManifestEntryType.File, string? Sha256 = null, long Size = 0, int Mode = 420, string? Target = null);
