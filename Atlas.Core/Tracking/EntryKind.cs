namespace Atlas.Core.Tracking;

/// <summary>What one line of a job's metrics file reports.</summary>
public enum EntryKind
{
    Metric,
    Param,
    Tag,
    Artifact,
}
