namespace Atlas.Core.Tracking;

/// <summary>
/// One accepted line of a job's report: a metric value (<see cref="Value"/>, <see cref="Step"/>),
/// a param or tag (<see cref="Text"/>), or an artifact (<see cref="Name"/> is its path under the output folder).
/// </summary>
public readonly record struct TrackingEntry(EntryKind Kind, string Name, double Value, string? Text, long? Step);
