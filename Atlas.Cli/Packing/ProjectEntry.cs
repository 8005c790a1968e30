namespace Atlas.Cli.Packing;

/// <summary>One path of a project folder that goes to the cluster.</summary>
/// <param name="Name">Relative, '/'-separated.</param>
/// <param name="Info">The file, folder or link; for a link, <see cref="FileSystemInfo.LinkTarget"/> is its target.</param>
/// <param name="Kind">What it is.</param>
public sealed record ProjectEntry(string Name, FileSystemInfo Info, ProjectEntryKind Kind)
{
    /// <summary>A regular file with the owner's executable bit.</summary>
    public bool Executable => Kind == ProjectEntryKind.File && !OperatingSystem.IsWindows() && (Info.UnixFileMode & UnixFileMode.UserExecute) != 0;
}
