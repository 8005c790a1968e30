using Atlas.Core.Storage;
using Atlas.Master.Leadership;
using Atlas.Master.Options;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Atlas.Master.Scheduling;

/// <summary>
/// Sweeps expired leases on Redis's clock: a job whose worker stopped renewing it becomes lost,
/// then queued again (or failed after the configured attempts); silent nodes are marked down.
/// </summary>
internal sealed class LeaseReaper(MasterJobStore store, LeaderElection leader, IOptions<MasterOptions> options, TimeProvider time, ILogger<LeaseReaper> logger) : BackgroundService
{
    private const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReapInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (leader.Epoch == 0)
                {
                    continue; // only the leader judges leases
                }
                try
                {
                    var reaped = await store.ReapAsync(Batch, options.Value.MaxAttempts, leader.Epoch, stoppingToken);
                    if (reaped > 0)
                    {
                        Log.Reaped(logger, reaped);
                    }
                }
                catch (NotLeaderException)
                {
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    Log.ReapFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
