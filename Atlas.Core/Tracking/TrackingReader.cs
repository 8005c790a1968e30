using System.Globalization;
using System.Text.Json;
using Atlas.Core.Jobs;
using Atlas.Core.SharedVolume;
using StackExchange.Redis;

namespace Atlas.Core.Tracking;

/// <summary>
/// The API's side of jobs' reports: series, the live feed, params and tags for job views, and
/// summaries of many jobs at once. Redis answers; when it has lost a job's reports (it restarted
/// without them), the durable copy on the shared volume does.
/// </summary>
public sealed class TrackingReader(IConnectionMultiplexer redis, JobPaths paths)
{
    private IDatabase Db => redis.GetDatabase();

    /// <summary>Records the params and tags given at submit: the job's reports start here.</summary>
    public async Task RecordSubmitAsync(string id, IReadOnlyDictionary<string, string>? parameters, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var batch = Db.CreateBatch();
        var writes = new List<Task> { batch.HashSetAsync(TrackingKeys.Meta(id), "points", 0) };
        if (parameters is { Count: > 0 })
        {
            writes.Add(batch.HashSetAsync(TrackingKeys.Params(id), [.. parameters.Select(p => new HashEntry(p.Key, p.Value))]));
        }
        if (tags is { Count: > 0 })
        {
            writes.Add(batch.HashSetAsync(TrackingKeys.Tags(id), [.. tags.Select(p => new HashEntry(p.Key, p.Value))]));
        }
        batch.Execute();
        await Task.WhenAll(writes);
    }

    /// <summary>The job's series (only <paramref name="names"/> when given), counts, warnings and the live feed's cursor.</summary>
    public async Task<MetricsView> MetricsAsync(string id, IReadOnlyCollection<string>? names, CancellationToken cancellationToken)
    {
        // The cursor is read first: a follower starting from it may see a point twice, never miss one.
        var last = await Db.StreamRangeAsync(TrackingKeys.Live(id), "-", "+", count: 1, messageOrder: Order.Descending);
        var t = await LoadAsync(id, names, cancellationToken);
        return new MetricsView
        {
            JobId = id,
            Series = [.. t.Series.Values
                .Where(s => names is null || names.Contains(s.Name))
                .OrderBy(s => s.Name, StringComparer.Ordinal)
                .Select(s => new MetricSeriesView(s.Name, [.. s.Points.Select(p => p.Step)], [.. s.Points.Select(p => p.Value)], [.. s.Points.Select(p => p.Time)]))],
            SkippedLines = t.SkippedLines,
            RejectedValues = t.RejectedValues,
            Warnings = t.Warnings,
            Cursor = last.Length > 0 ? (string)last[0].Id! : "0",
        };
    }

    /// <summary>Up to <paramref name="count"/> points of the live feed after <paramref name="cursor"/> (<c>0</c>: from its start), with each one's cursor.</summary>
    public async Task<IReadOnlyList<(string Cursor, MetricEvent Event)>> LiveAsync(string id, string cursor, IReadOnlyCollection<string>? names, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var entries = await Db.StreamRangeAsync(TrackingKeys.Live(id), cursor == "0" ? "-" : "(" + cursor, "+", count);
        var events = new List<(string, MetricEvent)>(entries.Length);
        foreach (var e in entries)
        {
            var name = (string)e["n"]!;
            if (names is not null && !names.Contains(name))
            {
                continue;
            }
            var step = (string?)e["s"];
            events.Add(((string)e.Id!, new MetricEvent(
                name,
                string.IsNullOrEmpty(step) ? null : long.Parse(step, CultureInfo.InvariantCulture),
                double.Parse((string)e["v"]!, CultureInfo.InvariantCulture),
                long.Parse((string)e["t"]!, CultureInfo.InvariantCulture))));
        }
        return events;
    }

    /// <summary><paramref name="views"/> with their params and tags: the submit's, then the job's own (which win).</summary>
    public async Task<IReadOnlyList<JobView>> WithLabelsAsync(IReadOnlyList<JobView> views, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var batch = Db.CreateBatch();
        var reads = views.Select(v => (Params: batch.HashGetAllAsync(TrackingKeys.Params(v.Id)), Tags: batch.HashGetAllAsync(TrackingKeys.Tags(v.Id)))).ToList();
        batch.Execute();
        var result = new List<JobView>(views.Count);
        for (var i = 0; i < views.Count; i++)
        {
            result.Add(views[i] with { Params = Merge(views[i].Params, await reads[i].Params), Tags = Merge(views[i].Tags, await reads[i].Tags) });
        }
        return result;
    }

    /// <summary>One job's view with its params and tags, from the durable copy when Redis has lost them.</summary>
    public async Task<JobView> WithLabelsAsync(JobView view, CancellationToken cancellationToken)
    {
        var t = await LoadAsync(view.Id, [], cancellationToken);
        return view with
        {
            Params = Merge(view.Params, [.. t.Params.Select(p => new HashEntry(p.Key, p.Value))]),
            Tags = Merge(view.Tags, [.. t.Tags.Select(p => new HashEntry(p.Key, p.Value))]),
        };
    }

    /// <summary>Each job with its params, tags and the summaries of <paramref name="metrics"/> (all its metrics when null).</summary>
    public async Task<IReadOnlyList<RunView>> RunsAsync(IReadOnlyList<JobView> jobs, IReadOnlyCollection<string>? metrics, CancellationToken cancellationToken)
    {
        var labelled = await WithLabelsAsync(jobs, cancellationToken);
        var batch = Db.CreateBatch();
        var reads = jobs.Select(j => (Summary: batch.HashGetAllAsync(TrackingKeys.Summary(j.Id)), Meta: batch.KeyExistsAsync(TrackingKeys.Meta(j.Id)))).ToList();
        batch.Execute();
        var runs = new List<RunView>(jobs.Count);
        for (var i = 0; i < jobs.Count; i++)
        {
            var job = labelled[i];
            Dictionary<string, MetricSummary> summaries;
            if (await reads[i].Meta)
            {
                summaries = (await reads[i].Summary)
                    .Where(e => metrics is null || metrics.Contains((string)e.Name!))
                    .ToDictionary(e => (string)e.Name!, e => JsonSerializer.Deserialize<MetricSummary>((string)e.Value!, AtlasJson.Options)!, StringComparer.Ordinal);
            }
            else
            {
                var t = await LoadAsync(job.Id, metrics, cancellationToken);
                summaries = t.Series.Values.Where(s => s.Summary is not null && (metrics is null || metrics.Contains(s.Name)))
                    .ToDictionary(s => s.Name, s => s.Summary!, StringComparer.Ordinal);
                job = job with { Params = Merge(job.Params, [.. t.Params.Select(p => new HashEntry(p.Key, p.Value))]), Tags = Merge(job.Tags, [.. t.Tags.Select(p => new HashEntry(p.Key, p.Value))]) };
            }
            runs.Add(RunView.Of(job, summaries));
        }
        return runs;
    }

    /// <summary>Forgets the job's reports (its record is being removed).</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var names = await Db.HashKeysAsync(TrackingKeys.Summary(id));
        RedisKey[] keys = [TrackingKeys.Meta(id), TrackingKeys.Summary(id), TrackingKeys.Params(id), TrackingKeys.Tags(id), TrackingKeys.Live(id), .. names.Select(n => (RedisKey)TrackingKeys.Series(id, n!))];
        await Db.KeyDeleteAsync(keys);
    }

    private async Task<JobTracking> LoadAsync(string id, IReadOnlyCollection<string>? names, CancellationToken cancellationToken) =>
        await TrackingSnapshot.LoadAsync(Db, id, TrackingLimits.Default, names, cancellationToken)
        ?? DurableMetrics.Load(paths, id, TrackingLimits.Default)
        ?? new JobTracking(TrackingLimits.Default);

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> first, HashEntry[] then)
    {
        var merged = new Dictionary<string, string>(first, StringComparer.Ordinal);
        foreach (var e in then)
        {
            merged[e.Name!] = e.Value!;
        }
        return merged;
    }
}
