namespace Atlas.Core.Tracking;

/// <summary>A file the job saved under its output folder: its path there, size in bytes and last change.</summary>
public sealed record ArtifactView(string Path, long Size, DateTimeOffset Modified);
