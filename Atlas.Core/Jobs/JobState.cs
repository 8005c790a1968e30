namespace Atlas.Core.Jobs;

/// <summary>Where a job is in its life. Serialized in lower case (<c>queued</c>, <c>running</c>, …).</summary>
public enum JobState
{
    /// <summary>Waiting for a node.</summary>
    Queued,

    /// <summary>Placed on a node, which has not taken it yet.</summary>
    Assigned,

    /// <summary>Claimed by its node: the image is pulled and the container or process created.</summary>
    Starting,

    /// <summary>The job's process or container really runs.</summary>
    Running,

    Succeeded,
    Failed,
    Cancelled,

    /// <summary>Its lease lapsed; within the same step it is queued again, failed or cancelled.</summary>
    Lost,
}
