namespace Atlas.Core.Bundles;

/// <summary>An entry that passed the checks: its safe relative path and, for links, its checked target.</summary>
/// <param name="Path">Relative path with '/' separators, no '.', '..' or empty segments.</param>
/// <param name="Kind">What the entry is.</param>
/// <param name="LinkTarget">For a symlink, its target as written; for a hard link, the bundle path of the file it names.</param>
/// <param name="Executable">A regular file with an executable bit.</param>
internal sealed record CheckedEntry(string Path, EntryKind Kind, string? LinkTarget, bool Executable);
