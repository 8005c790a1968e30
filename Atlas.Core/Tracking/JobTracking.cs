namespace Atlas.Core.Tracking;

/// <summary>
/// Everything one job reported, as the worker keeps it while the job runs and as it is rebuilt
/// from Redis or the durable copy: series (capped and downsampled), params, tags, artifacts and
/// the counts of what was refused.
/// </summary>
public sealed class JobTracking(TrackingLimits limits)
{
    /// <summary>Warnings kept per job (the first ones; the counts say how many in all).</summary>
    public const int MaxWarnings = 10;

    public Dictionary<string, SeriesState> Series { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Params { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    public List<string> Artifacts { get; } = [];

    public List<string> Warnings { get; } = [];

    /// <summary>Lines that were not a report (not JSON, unknown shape) and were skipped.</summary>
    public long SkippedLines { get; set; }

    /// <summary>Values refused: not finite, an artifact outside the output folder, past a cap.</summary>
    public long RejectedValues { get; set; }

    /// <summary>Metric points taken, in all (downsampling does not lower it).</summary>
    public long Points { get; set; }

    /// <summary>How far the worker has read the current attempt's metrics file: where the next attempt picks up what a crashed one left unread.</summary>
    public long FileOffset { get; set; }

    public TrackingLimits Limits => limits;

    /// <summary>Takes one line's outcome at <paramref name="time"/> (unix ms). Returns the new point's series, or null.</summary>
    public SeriesState? Apply(ParsedLine line, long time)
    {
        if (!line.Ok)
        {
            if (line.Fault == LineFault.Garbage)
            {
                SkippedLines++;
            }
            else
            {
                RejectedValues++;
            }
            Warn(line.Message!);
            return null;
        }
        var e = line.Entry;
        switch (e.Kind)
        {
            case EntryKind.Metric:
                if (!Series.TryGetValue(e.Name, out var series))
                {
                    if (Series.Count >= limits.MaxSeries)
                    {
                        RejectedValues++;
                        Warn($"metric '{e.Name}': more than {limits.MaxSeries} metrics in one job");
                        return null;
                    }
                    series = Series[e.Name] = new SeriesState(e.Name, limits.MaxPointsPerSeries);
                }
                series.Add(new MetricPoint(e.Step, e.Value, time));
                Points++;
                return series;
            case EntryKind.Param:
                Label(Params, e, "params");
                return null;
            case EntryKind.Tag:
                Label(Tags, e, "tags");
                return null;
            default:
                if (!Artifacts.Contains(e.Name, StringComparer.Ordinal))
                {
                    Artifacts.Add(e.Name);
                }
                return null;
        }
    }

    private void Label(Dictionary<string, string> labels, TrackingEntry e, string what)
    {
        if (!labels.ContainsKey(e.Name) && labels.Count >= limits.MaxLabels)
        {
            RejectedValues++;
            Warn($"'{e.Name}': more than {limits.MaxLabels} {what} in one job");
            return;
        }
        labels[e.Name] = e.Text!;
    }

    private void Warn(string message)
    {
        if (Warnings.Count < MaxWarnings)
        {
            Warnings.Add(message);
        }
    }
}
