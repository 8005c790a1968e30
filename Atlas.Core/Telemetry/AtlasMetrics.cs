using System.Diagnostics;
using System.Diagnostics.Metrics;
using Atlas.Core.Jobs;

namespace Atlas.Core.Telemetry;

/// <summary>
/// The <c>Atlas</c> meter's instruments. Counters and the histogram cost one enabled check when
/// nobody listens; gauges are read from what the process already keeps (the master's last
/// scheduling pass, the worker's running jobs), never from Redis at collection time.
/// </summary>
public sealed class AtlasMetrics
{
    public const string OutcomeTag = "outcome";

    private readonly Meter _meter;
    private readonly Counter<long> _submitted;
    private readonly Counter<long> _started;
    private readonly Counter<long> _finished;
    private readonly Histogram<double> _submitToStart;
    private ObservableGauge<long>? _queued;

    public AtlasMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(AtlasTelemetry.MeterName);
        _submitted = _meter.CreateCounter<long>("atlas.jobs.submitted", "{job}", "Jobs accepted by a submit.");
        _started = _meter.CreateCounter<long>("atlas.jobs.started", "{job}", "Job attempts started on a node.");
        _finished = _meter.CreateCounter<long>("atlas.jobs.finished", "{job}", "Jobs that ended, by outcome (succeeded, failed, cancelled).");
        _submitToStart = _meter.CreateHistogram<double>("atlas.jobs.submit_to_start", "s", "Time from a job's submit to the start of an attempt (Redis's clock).");
    }

    /// <summary>Whether anyone collects the queue gauges, so the master need not read the counts otherwise.</summary>
    public bool QueueObserved => _queued?.Enabled == true;

    public void Submitted() => _submitted.Add(1);

    /// <summary>An attempt started, <paramref name="waited"/> after the job was submitted.</summary>
    public void Started(TimeSpan waited)
    {
        _started.Add(1);
        if (_submitToStart.Enabled)
        {
            _submitToStart.Record(Math.Max(0, waited.TotalSeconds));
        }
    }

    public void Finished(JobState outcome) => _finished.Add(1, new KeyValuePair<string, object?>(OutcomeTag, Outcome(outcome)));

    /// <summary>Queued and running (assigned or running) jobs, as the leading master last saw them; null reports nothing (a standby).</summary>
    public void ObserveQueue(Func<(long Queued, long Running)?> read)
    {
        _queued = _meter.CreateObservableGauge("atlas.jobs.queued", () => Measure(read()?.Queued), "{job}", "Jobs waiting in the queue.");
        _meter.CreateObservableGauge("atlas.jobs.running", () => Measure(read()?.Running), "{job}", "Jobs placed on a node and not yet ended.");
    }

    /// <summary>Free slots on <paramref name="node"/>, tagged by node.</summary>
    public void ObserveFreeSlots(string node, Func<int> free) =>
        _meter.CreateObservableGauge("atlas.node.free_slots", () => new Measurement<int>(free(), new KeyValuePair<string, object?>(AtlasTelemetry.NodeTag, node)),
            "{slot}", "Slots on the node free for another job.");

    private static IEnumerable<Measurement<long>> Measure(long? value) => value is { } v ? [new Measurement<long>(v)] : [];

    // Constants, so counting an outcome allocates nothing.
    private static string Outcome(JobState state) => state switch
    {
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        JobState.Lost => "lost",
        _ => throw new UnreachableException($"{state} is not an outcome."),
    };
}
