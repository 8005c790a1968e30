using Atlas.Core.Jobs;

namespace Atlas.Core.Storage;

/// <summary>A job as the store holds it: what the API shows plus what only the services need.</summary>
/// <param name="View">The public view of the job.</param>
/// <param name="Spec">The submitted spec, environment included.</param>
/// <param name="Fence">The fencing token of the current assignment (0 while queued).</param>
/// <param name="StopRequested">A user asked the job to stop.</param>
/// <param name="TraceParent">The W3C trace context of the submit request, so the job is one trace.</param>
public sealed record JobRecord(JobView View, JobSpec Spec, long Fence, bool StopRequested, string? TraceParent);
