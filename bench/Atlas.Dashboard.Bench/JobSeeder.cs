using System.Globalization;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Core.Tracking;
using StackExchange.Redis;

namespace Atlas.Dashboard.Bench;

/// <summary>
/// Fills Redis with finished jobs, in the store's layout (the job hash, the job index and the
/// owner's index, as the submit script writes them), spread over 30 days, 20 projects, 10 user
/// names and three end states: the history a busy team's cluster keeps. Written straight to
/// Redis because running 100,000 jobs here would take hours; the table reads them like any others.
/// </summary>
internal static class JobSeeder
{
    public static async Task SeedAsync(string redis, int count, TimeProvider time)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var db = connection.GetDatabase();
        var random = new Random(11);
        var now = time.GetUtcNow();
        const int batchSize = 1000;
        for (var start = 0; start < count; start += batchSize)
        {
            var batch = db.CreateBatch();
            var writes = new List<Task>();
            for (var i = start; i < Math.Min(count, start + batchSize); i++)
            {
                var submitted = now - TimeSpan.FromSeconds(random.Next(30 * 24 * 3600));
                var id = JobId.New(submitted);
                var project = $"project-{random.Next(20):D2}";
                var started = submitted + TimeSpan.FromSeconds(random.Next(1, 120));
                var finished = started + TimeSpan.FromSeconds(random.Next(5, 7200));
                var roll = random.Next(100);
                var (state, exit) = roll < 85 ? ("succeeded", "0") : roll < 95 ? ("failed", "1") : ("cancelled", "143");
                var spec = JsonSerializer.Serialize(new JobSpec { Name = $"train-{i % 500}", Project = project, Command = ["python", "train.py"] }, AtlasJson.Options);
                var ms = submitted.ToUnixTimeMilliseconds();
                writes.Add(batch.HashSetAsync(RedisKeys.Job(id),
                [
                    new("id", id), new("state", state), new("attempt", 1), new("fence", 1), new("owner", JobOwner.Local.Subject),
                    new("user", $"user-{random.Next(10)}"), new("node", "worker-1"), new("exit", exit), new("spec", spec),
                    new("submitted", ms), new("started", started.ToUnixTimeMilliseconds()), new("finished", finished.ToUnixTimeMilliseconds()),
                ]));
                // Two params each, in the tracking store's hash beside the job.
                writes.Add(batch.HashSetAsync(TrackingKeys.Params(id),
                [
                    new("lr", (random.Next(1, 100) / 10_000.0).ToString(CultureInfo.InvariantCulture)),
                    new("batch", (16 << random.Next(5)).ToString(CultureInfo.InvariantCulture)),
                ]));
                writes.Add(batch.SortedSetAddAsync(RedisKeys.Jobs, id, ms));
                writes.Add(batch.SortedSetAddAsync(RedisKeys.OwnerJobs(JobOwner.Local.Subject), id, ms));
            }
            batch.Execute();
            await Task.WhenAll(writes);
        }
    }
}
