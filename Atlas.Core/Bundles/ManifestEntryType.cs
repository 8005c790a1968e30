namespace Atlas.Core.Bundles;

/// <summary>The kinds of path a manifest may name (as JSON: <c>file</c>, <c>directory</c>, <c>symlink</c>).</summary>
public enum ManifestEntryType
{
    File,
    Directory,
    Symlink,
}
