namespace Atlas.Cli.Packing;

/// <summary>The kinds of path a project sends.</summary>
public enum ProjectEntryKind
{
    File,
    Directory,
    Symlink,
}
