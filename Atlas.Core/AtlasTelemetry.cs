using System.Diagnostics;

namespace Atlas.Core;

/// <summary>
/// The activity source and meter every Atlas service reports under, and the one way a job's spans
/// are started (SPANS.md): under the job's stored trace context, so every attempt of a job is in
/// the trace its submit began.
/// </summary>
public static class AtlasTelemetry
{
    public const string ActivitySourceName = "Atlas";
    public const string MeterName = "Atlas";

    public const string JobIdTag = "atlas.job.id";
    public const string AttemptTag = "atlas.job.attempt";
    public const string NodeTag = "atlas.node";
    public const string FenceTag = "atlas.job.fence";

    public static ActivitySource ActivitySource { get; } = new(ActivitySourceName);

    /// <summary>
    /// Starts the span <paramref name="name"/> of one job attempt, a child of the job's stored W3C
    /// <paramref name="traceParent"/> (or of the current activity when there is none). Returns
    /// null, having allocated nothing, when no listener samples it: telemetry off costs one check.
    /// <paramref name="startTime"/> backdates the span, for work measured before its trace was known.
    /// </summary>
    public static Activity? StartJobActivity(
        string name, string? traceParent, string jobId, int attempt, string? node, long fence, DateTimeOffset startTime = default)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }
        ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent);
        var activity = ActivitySource.StartActivity(name, ActivityKind.Internal, parent, startTime: startTime);
        if (activity is null)
        {
            return null;
        }
        activity.SetTag(JobIdTag, jobId);
        activity.SetTag(AttemptTag, attempt);
        activity.SetTag(NodeTag, node);
        activity.SetTag(FenceTag, fence);
        return activity;
    }
}
