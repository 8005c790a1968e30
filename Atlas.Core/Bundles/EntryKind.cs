namespace Atlas.Core.Bundles;

/// <summary>The kinds of entry a bundle may hold.</summary>
internal enum EntryKind
{
    File,
    Directory,
    Symlink,
    HardLink,
}
