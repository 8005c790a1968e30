using System.Globalization;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Core.Tracking;
using StackExchange.Redis;

namespace Atlas.Master.Table;

/// <summary>
/// The job table's rows, kept in the master's memory so a page over 100,000 jobs is a scan of an
/// array rather than 100,000 Redis reads. Redis stays the source of truth: at most every
/// <see cref="MaxAge"/>, or at once when the number of jobs changed, a query first reads the jobs
/// submitted since the last look, every job that has not ended (only those can still change),
/// and, when the count of jobs differs, the full id list to drop deleted ones. A row is therefore
/// at most <see cref="MaxAge"/> old, and a new or deleted job shows in the next query.
/// </summary>
public sealed class JobTableIndex(IConnectionMultiplexer redis, TimeProvider time)
{
    /// <summary>How old the rows may be before a query reads Redis again.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(500);

    private static readonly RedisValue[] Fields =
        ["id", "state", "owner", "user", "node", "attempt", "exit", "reason", "submitted", "started", "finished", "spec"];

    private const int Batch = 1000;

    // Most jobs have no params or tags: one empty map for all of them.
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();
    private static readonly IReadOnlyDictionary<string, double> NoMetrics = new Dictionary<string, double>();

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, JobRow> _rows = new(StringComparer.Ordinal);
    private double _seenScore = double.NegativeInfinity;
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;
    private (JobRow[] Rows, long Version) _snapshot = ([], 0);
    private long _count = -1;
    private long _refreshes;

    /// <summary>Every job, newest first, and a version that changes whenever a row does.</summary>
    public async Task<(JobRow[] Rows, long Version)> CurrentAsync(CancellationToken cancellationToken)
    {
        // A job submitted or deleted shows at once (one cheap count); other changes within MaxAge.
        var refreshes = Volatile.Read(ref _refreshes);
        if (time.GetUtcNow() - _readAt < MaxAge && await redis.GetDatabase().SortedSetLengthAsync(RedisKeys.Jobs) == Volatile.Read(ref _count))
        {
            return _snapshot;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Callers that waited here while another refreshed take its result.
            if (refreshes == _refreshes)
            {
                await RefreshAsync(cancellationToken);
                _readAt = time.GetUtcNow();
                Volatile.Write(ref _refreshes, _refreshes + 1);
            }
            return _snapshot;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var fresh = await db.SortedSetRangeByScoreWithScoresAsync(RedisKeys.Jobs, _seenScore, double.PositiveInfinity);
        var toRead = fresh.Select(e => (string)e.Element!).Where(id => !_rows.ContainsKey(id))
            .Concat(_rows.Values.Where(r => !JobStateMachine.IsTerminal(r.State)).Select(r => r.Id))
            .ToList();
        if (fresh.Length > 0)
        {
            _seenScore = fresh[^1].Score;
        }
        var changed = await ReadAsync(db, toRead, cancellationToken);
        var count = await db.SortedSetLengthAsync(RedisKeys.Jobs);
        if (count != _rows.Count)
        {
            // Some were deleted (or submitted with an older score): reconcile with the full list.
            var all = (await db.SortedSetRangeByRankAsync(RedisKeys.Jobs)).Select(v => (string)v!).ToHashSet(StringComparer.Ordinal);
            var gone = _rows.Keys.Where(id => !all.Contains(id)).ToList();
            gone.ForEach(id => _rows.Remove(id));
            changed |= gone.Count > 0;
            changed |= await ReadAsync(db, [.. all.Where(id => !_rows.ContainsKey(id))], cancellationToken);
        }
        Volatile.Write(ref _count, count);
        if (changed)
        {
            var rows = _rows.Values.ToArray();
            Array.Sort(rows, (a, b) => b.SubmittedAt != a.SubmittedAt ? b.SubmittedAt.CompareTo(a.SubmittedAt) : string.CompareOrdinal(b.Id, a.Id));
            _snapshot = (rows, _snapshot.Version + 1);
        }
    }

    // Reads the rows in pipelined batches; true when any row appeared, changed or went away.
    private async Task<bool> ReadAsync(IDatabase db, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var changed = false;
        for (var start = 0; start < ids.Count; start += Batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = ids.Skip(start).Take(Batch).ToList();
            var batch = db.CreateBatch();
            var reads = chunk.Select(id => (
                Fields: batch.HashGetAsync(RedisKeys.Job(id), Fields),
                Params: batch.HashGetAllAsync(TrackingKeys.Params(id)),
                Tags: batch.HashGetAllAsync(TrackingKeys.Tags(id)),
                Metrics: batch.HashGetAllAsync(TrackingKeys.Summary(id)))).ToList();
            batch.Execute();
            await Task.WhenAll(reads.SelectMany(r => new Task[] { r.Fields, r.Params, r.Tags, r.Metrics }));
            for (var i = 0; i < chunk.Count; i++)
            {
                var row = ToRow(await reads[i].Fields, await reads[i].Params, await reads[i].Tags, await reads[i].Metrics);
                if (row is null)
                {
                    changed |= _rows.Remove(chunk[i]);
                }
                else if (!_rows.TryGetValue(row.Id, out var old) || !SameRow(old, row))
                {
                    _rows[row.Id] = row;
                    changed = true;
                }
            }
        }
        return changed;
    }

    private static bool SameRow(JobRow a, JobRow b) =>
        a with { Params = b.Params, Tags = b.Tags, Metrics = b.Metrics } == b && Same(a.Params, b.Params) && Same(a.Tags, b.Tags) && Same(a.Metrics, b.Metrics);

    private static bool Same<T>(IReadOnlyDictionary<string, T> a, IReadOnlyDictionary<string, T> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && EqualityComparer<T>.Default.Equals(v, p.Value));


    private static JobRow? ToRow(RedisValue[] v, HashEntry[] parameters, HashEntry[] tags, HashEntry[] metrics)
    {
        if (v[0].IsNull || v[1].IsNull || !Enum.TryParse<JobState>(v[1]!, ignoreCase: true, out var state))
        {
            return null;
        }
        var spec = v[11].IsNull ? new JobSpec() : JsonSerializer.Deserialize<JobSpec>((string)v[11]!, AtlasJson.Options) ?? new JobSpec();
        return new JobRow
        {
            Id = v[0]!,
            State = state,
            Owner = v[2],
            Username = v[3],
            Node = v[4],
            Attempt = Int(v[5]) ?? 1,
            ExitCode = Int(v[6]),
            Reason = v[7],
            SubmittedAt = Time(v[8]) ?? DateTimeOffset.UnixEpoch,
            StartedAt = Time(v[9]),
            FinishedAt = Time(v[10]),
            Name = spec.Name,
            Project = spec.Project ?? JobDefaults.Project,
            Priority = spec.Priority,
            Params = Map(parameters),
            Tags = Map(tags),
            Metrics = LastValues(metrics),
        };
    }

    private static int? Int(RedisValue value) =>
        int.TryParse((string?)value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static DateTimeOffset? Time(RedisValue value) =>
        long.TryParse((string?)value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    // The summary hash holds one MetricSummary (JSON) per metric; the table keeps only the last value.
    private static IReadOnlyDictionary<string, double> LastValues(HashEntry[] summaries)
    {
        if (summaries.Length == 0)
        {
            return NoMetrics;
        }
        var last = new Dictionary<string, double>(summaries.Length, StringComparer.Ordinal);
        foreach (var entry in summaries)
        {
            if (JsonSerializer.Deserialize<MetricSummary>((string)entry.Value!, AtlasJson.Options) is { } summary)
            {
                last[(string)entry.Name!] = summary.Last;
            }
        }
        return last;
    }

    private static IReadOnlyDictionary<string, string> Map(HashEntry[] entries) =>
        entries.Length == 0 ? NoLabels : entries.ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);
}
