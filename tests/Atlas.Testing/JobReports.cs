using System.Text;
using Atlas.Core.Tracking;
using StackExchange.Redis;

namespace Atlas.Testing;

/// <summary>
/// Writes a job's reports into Redis the way the worker does (the same parser, state and fenced
/// script), for tests of what reads them: the API, the CLI. The worker's own tests run real jobs.
/// </summary>
public static class JobReports
{
    /// <summary>Takes <paramref name="lines"/> (metrics-file lines) for job <paramref name="id"/> under <paramref name="fence"/> (0 while it is queued), at <paramref name="time"/> unix ms each.</summary>
    public static async Task WriteAsync(IConnectionMultiplexer redis, string id, long fence, long time, params string[] lines)
    {
        var writer = new TrackingWriter(redis);
        var t = await writer.LoadAsync(id, TrackingLimits.Default, CancellationToken.None) ?? new JobTracking(TrackingLimits.Default);
        var before = t.Series.ToDictionary(s => s.Key, s => s.Value.Points.Count);
        var batch = new TrackingBatch();
        foreach (var line in lines)
        {
            var parsed = TrackingLineParser.Parse(Encoding.UTF8.GetBytes(line), null);
            if (t.Apply(parsed, time) is { } series)
            {
                batch.Live.Add((series.Name, series.Points[^1]));
            }
            else if (parsed.Ok && parsed.Entry.Kind == EntryKind.Param)
            {
                batch.Params.Add((parsed.Entry.Name, parsed.Entry.Text!));
            }
            else if (parsed.Ok && parsed.Entry.Kind == EntryKind.Tag)
            {
                batch.Tags.Add((parsed.Entry.Name, parsed.Entry.Text!));
            }
        }
        foreach (var series in t.Series.Values)
        {
            if (!before.ContainsKey(series.Name))
            {
                series.MarkForRewrite();
            }
            if (series.HasPending)
            {
                var (rewrite, bytes) = series.TakePending();
                batch.Series.Add((series.Name, rewrite, bytes, series.Summary!));
            }
        }
        var outcome = await writer.FlushAsync(id, fence, expectExisting: false, t, batch, CancellationToken.None);
        if (outcome != FlushOutcome.Written)
        {
            throw new InvalidOperationException($"The reports of {id} were not written: {outcome}.");
        }
    }
}
