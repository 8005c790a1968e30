using System.Diagnostics;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Storage;

namespace Atlas.Worker.Execution;

/// <summary>
/// The <c>job.start</c> and <c>job.run</c> spans of one attempt. <c>job.run</c> exists before the
/// job does, so that the job's <c>TRACEPARENT</c> can name it, and is moved to begin when the
/// runtime reports the start; <c>job.start</c> is the current activity meanwhile, so a runtime's
/// own spans (<c>job.pull</c>) nest in it. Only made when a listener samples the spans.
/// </summary>
internal sealed class AttemptSpans
{
    private readonly Activity _start;
    private readonly Activity? _run;
    private readonly TimeProvider _time;
    private volatile bool _started;

    private AttemptSpans(Activity start, Activity? run, TimeProvider time)
    {
        _start = start;
        _run = run;
        _time = time;
    }

    /// <summary>The run span's W3C context, for the job's <c>TRACEPARENT</c>.</summary>
    public string? RunTraceParent => _run?.Id;

    public static AttemptSpans? Begin(JobRecord job, string node, long fence, TimeProvider time)
    {
        var start = AtlasTelemetry.StartJobActivity("job.start", job.TraceParent, job.View.Id, job.View.Attempt, node, fence);
        if (start is null)
        {
            return null;
        }
        var run = AtlasTelemetry.StartJobActivity("job.run", job.TraceParent, job.View.Id, job.View.Attempt, node, fence);
        Activity.Current = start;
        return new AttemptSpans(start, run, time);
    }

    /// <summary>The runtime started the job: the start span ends, the run span begins now.</summary>
    public void Started()
    {
        _started = true;
        _start.Stop();
        _run?.SetStartTime(_time.GetUtcNow().UtcDateTime);
    }

    /// <summary>
    /// Ends both spans. A runtime that does not report its start has its whole run under
    /// <c>job.start</c> too; a job that never ran (no exit code) has no run span to export.
    /// </summary>
    public void End(JobState state, int? exitCode, string? reason)
    {
        var failed = state == JobState.Failed;
        if (!_started)
        {
            if (failed && exitCode is null)
            {
                _start.SetStatus(ActivityStatusCode.Error, reason);
            }
            _start.Stop();
        }
        if (_run is null)
        {
            return;
        }
        if (exitCode is null)
        {
            _run.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
        _run.SetTag("atlas.job.state", JobStateMachine.Name(state));
        _run.SetTag("atlas.job.exit_code", exitCode);
        if (failed)
        {
            _run.SetStatus(ActivityStatusCode.Error, reason);
        }
        _run.Stop();
        Activity.Current = null;
    }
}
