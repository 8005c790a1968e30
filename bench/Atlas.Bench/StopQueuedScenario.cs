using System.Diagnostics;
using System.Globalization;
using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.Bench;

/// <summary>
/// <c>--scenario stopqueued</c>: <c>atlas stop --all-queued</c> against <see cref="BenchSettings.QueueJobs"/>
/// queued jobs of one user (plus a tenth as many of another, left alone), on a redis-server of the
/// bench's own. It runs the master's store call, chunk for chunk as the API does. Measured: the wall time in all,
/// and how long a script call held Redis, read from Redis itself (mean from INFO commandstats, the
/// longest from the latency monitor), so the round trips do not count.
/// </summary>
internal static class StopQueuedScenario
{
    private static readonly JobSpec NoOp = new() { Command = ["true"], Project = "stop" };

    public static async Task RunAsync(BenchSettings settings, TextWriter output)
    {
        var own = new RedisServer();
        await own.InitializeAsync();
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(own.ConnectionString);
            var master = new MasterJobStore(redis);
            var server = redis.GetServer(redis.GetEndPoints()[0]);
            var mine = new JobOwner("sub-bench", "bench");
            var fill = Stopwatch.StartNew();
            await FillAsync(master, mine, settings.QueueJobs);
            await FillAsync(master, new JobOwner("sub-other", "other"), settings.QueueJobs / 10);
            var fillSeconds = fill.Elapsed.TotalSeconds;

            await server.ExecuteAsync("CONFIG", "SET", "latency-monitor-threshold", "1");
            await server.ExecuteAsync("LATENCY", "RESET");
            await server.ExecuteAsync("CONFIG", "RESETSTAT");
            var clock = Stopwatch.StartNew();
            var cancelled = await master.StopQueuedAsync(mine.Subject, null, MasterJobStore.StopQueuedChunk, default);
            var wall = clock.Elapsed.TotalSeconds;
            var (calls, meanMs) = ScriptStats((string)(await server.ExecuteAsync("INFO", "commandstats"))!);
            var maxMs = MaxCommandLatency((RedisResult[])(await server.ExecuteAsync("LATENCY", "LATEST"))!);
            var left = await redis.GetDatabase().SortedSetLengthAsync(RedisKeys.Queue);

            output.WriteLine($"stop --all-queued: {cancelled:N0} of {settings.QueueJobs:N0} queued jobs cancelled ({left:N0} of another user's left queued); filled in {fillSeconds:F1} s");
            output.WriteLine("| wall time | script calls | Redis held per call, mean / max |");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {wall:F2} s | {calls} | {meanMs:F1} / {maxMs} ms |"));
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    // INFO commandstats: "cmdstat_evalsha:calls=51,usec=...,usec_per_call=..." (the whole script, its own commands included).
    private static (long Calls, double MeanMs) ScriptStats(string info)
    {
        long calls = 0;
        double usec = 0;
        foreach (var line in info.Split('\n').Where(l => l.StartsWith("cmdstat_eval", StringComparison.Ordinal)))
        {
            var fields = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(',')
                .Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
            calls += long.Parse(fields["calls"], CultureInfo.InvariantCulture);
            usec += double.Parse(fields["usec"], CultureInfo.InvariantCulture);
        }
        return (calls, calls == 0 ? 0 : usec / calls / 1000);
    }

    // LATENCY LATEST: [event, last time, last ms, max ms] per event; "command" is the slowest single command (a script call).
    private static long MaxCommandLatency(RedisResult[] events) =>
        events.Select(e => (RedisResult[])e!).Where(e => (string?)e[0] == "command").Select(e => (long)e[3]).DefaultIfEmpty(0).Max();

    private static async Task FillAsync(MasterJobStore master, JobOwner owner, int count)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < count)
            {
                await master.SubmitAsync(JobId.New(DateTimeOffset.UtcNow), NoOp, owner, null, null, default);
            }
        }));
    }
}
