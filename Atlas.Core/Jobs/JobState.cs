namespace Atlas.Core.Jobs;

/// <summary>Where a job is in its life. Serialized in lower case (<c>queued</c>, <c>running</c>, …).</summary>
public enum JobState
{
    Queued,
    Assigned,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Lost,
}
