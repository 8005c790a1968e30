using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Atlas.Core.Tracking;

/// <summary>
/// The worker's side of a job's reports in Redis: read back what an earlier attempt left, and
/// write each batch in one script, refused when the job's fencing token has moved on.
/// </summary>
public sealed class TrackingWriter(IConnectionMultiplexer redis)
{
    // KEYS: job record, meta, summary, params, tags, live, then one per series.
    // ARGV: fence, expect meta ('1'/'0'), skipped, rejected, points, warnings, metrics file offset,
    // series count, live length, then name/mode/bytes/summary per series, then counted name/value pairs of params
    // and of tags, then counted name/step/value/time of live points.
    private const string Flush = """
        if redis.call('HGET', KEYS[1], 'fence') ~= ARGV[1] then return 'stale' end
        if ARGV[2] == '1' and redis.call('EXISTS', KEYS[2]) == 0 then return 'reset' end
        redis.call('HSET', KEYS[2], 'skipped', ARGV[3], 'rejected', ARGV[4], 'points', ARGV[5], 'warnings', ARGV[6], 'offset', ARGV[7], 'fence', ARGV[1])
        local a = 10
        for i = 1, tonumber(ARGV[8]) do
          if ARGV[a + 1] == 's' then redis.call('SET', KEYS[6 + i], ARGV[a + 2]) else redis.call('APPEND', KEYS[6 + i], ARGV[a + 2]) end
          redis.call('HSET', KEYS[3], ARGV[a], ARGV[a + 3])
          a = a + 4
        end
        for k = 4, 5 do
          local n = tonumber(ARGV[a]); a = a + 1
          for i = 1, n do redis.call('HSET', KEYS[k], ARGV[a], ARGV[a + 1]); a = a + 2 end
        end
        local n = tonumber(ARGV[a]); a = a + 1
        if n > 0 then redis.call('PERSIST', KEYS[6]) end -- a new attempt after an ended one
        for i = 1, n do
          redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[9], '*', 'n', ARGV[a], 's', ARGV[a + 1], 'v', ARGV[a + 2], 't', ARGV[a + 3])
          a = a + 4
        end
        return 'ok'
        """;

    /// <summary>Lets the job's live feed expire: its attempt has ended and its last points are written.</summary>
    public async Task EndAsync(string id, TrackingLimits limits, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await redis.GetDatabase().KeyExpireAsync(TrackingKeys.Live(id), TimeSpan.FromSeconds(limits.LiveSecondsAfterEnd));
    }

    /// <summary>What Redis holds of the job's reports (an earlier attempt's), or null.</summary>
    public Task<JobTracking?> LoadAsync(string id, TrackingLimits limits, CancellationToken cancellationToken) =>
        TrackingSnapshot.LoadAsync(redis.GetDatabase(), id, limits, null, cancellationToken);

    /// <summary>
    /// Writes <paramref name="batch"/> and the counts of <paramref name="t"/> under
    /// <paramref name="fence"/>. <paramref name="expectExisting"/>: Redis held the job's reports
    /// before, so finding none means it lost them (<see cref="FlushOutcome.Reset"/>).
    /// </summary>
    public async Task<FlushOutcome> FlushAsync(string id, long fence, bool expectExisting, JobTracking t, TrackingBatch batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = new List<RedisKey>
        {
            Storage.RedisKeys.Job(id), TrackingKeys.Meta(id), TrackingKeys.Summary(id), TrackingKeys.Params(id), TrackingKeys.Tags(id), TrackingKeys.Live(id),
        };
        var args = new List<RedisValue>
        {
            fence.ToString(CultureInfo.InvariantCulture), expectExisting ? "1" : "0", t.SkippedLines, t.RejectedValues, t.Points,
            JsonSerializer.Serialize(t.Warnings), t.FileOffset, batch.Series.Count, t.Limits.LiveLength,
        };
        foreach (var (name, rewrite, bytes, summary) in batch.Series)
        {
            keys.Add(TrackingKeys.Series(id, name));
            args.Add(name);
            args.Add(rewrite ? "s" : "a");
            args.Add(bytes);
            args.Add(JsonSerializer.Serialize(summary, AtlasJson.Options));
        }
        foreach (var labels in new[] { batch.Params, batch.Tags })
        {
            args.Add(labels.Count);
            foreach (var (name, value) in labels)
            {
                args.Add(name);
                args.Add(value);
            }
        }
        args.Add(batch.Live.Count);
        foreach (var (name, p) in batch.Live)
        {
            args.Add(name);
            args.Add(p.Step?.ToString(CultureInfo.InvariantCulture) ?? "");
            args.Add(p.Value.ToString("R", CultureInfo.InvariantCulture));
            args.Add(p.Time);
        }
        var result = (string)(await redis.GetDatabase().ScriptEvaluateAsync(Flush, [.. keys], [.. args]))!;
        return result switch
        {
            "ok" => FlushOutcome.Written,
            "reset" => FlushOutcome.Reset,
            _ => FlushOutcome.Stale,
        };
    }
}
