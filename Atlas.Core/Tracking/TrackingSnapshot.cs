using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Atlas.Core.Tracking;

/// <summary>Reads one job's reports back from Redis into a <see cref="JobTracking"/> (the worker's restart, the API's reads).</summary>
internal static class TrackingSnapshot
{
    /// <summary>The job's reports, or null when Redis holds none (never recorded, or lost: read the durable copy then).</summary>
    public static async Task<JobTracking?> LoadAsync(IDatabase db, string id, TrackingLimits limits, IReadOnlyCollection<string>? names, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var batch = db.CreateBatch();
        var meta = batch.HashGetAllAsync(TrackingKeys.Meta(id));
        var summary = batch.HashGetAllAsync(TrackingKeys.Summary(id));
        var parameters = batch.HashGetAllAsync(TrackingKeys.Params(id));
        var tags = batch.HashGetAllAsync(TrackingKeys.Tags(id));
        batch.Execute();
        var fields = (await meta).ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);
        if (fields.Count == 0)
        {
            return null;
        }
        var t = new JobTracking(limits)
        {
            SkippedLines = Long(fields.GetValueOrDefault("skipped")),
            RejectedValues = Long(fields.GetValueOrDefault("rejected")),
            Points = Long(fields.GetValueOrDefault("points")),
            FileOffset = Long(fields.GetValueOrDefault("offset")),
        };
        if (fields.GetValueOrDefault("warnings") is { Length: > 0 } warnings)
        {
            t.Warnings.AddRange(JsonSerializer.Deserialize<string[]>(warnings) ?? []);
        }
        foreach (var e in await parameters)
        {
            t.Params[e.Name!] = e.Value!;
        }
        foreach (var e in await tags)
        {
            t.Tags[e.Name!] = e.Value!;
        }
        var summaries = (await summary)
            .Select(e => ((string)e.Name!, JsonSerializer.Deserialize<MetricSummary>((string)e.Value!, AtlasJson.Options)))
            .Where(s => names is null || names.Contains(s.Item1))
            .ToList();
        var pointsBatch = db.CreateBatch();
        var reads = summaries.Select(s => pointsBatch.StringGetAsync(TrackingKeys.Series(id, s.Item1))).ToList();
        pointsBatch.Execute();
        for (var i = 0; i < summaries.Count; i++)
        {
            var bytes = (byte[]?)await reads[i] ?? [];
            var (name, s) = summaries[i];
            t.Series[name] = new SeriesState(name, limits.MaxPointsPerSeries, PointCodec.Decode(bytes), s);
        }
        return t;
    }

    private static long Long(string? value) => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
}
