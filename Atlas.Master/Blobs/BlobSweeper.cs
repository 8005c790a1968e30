using Atlas.Master.Leadership;
using Atlas.Master.Options;
using Microsoft.Extensions.Options;

namespace Atlas.Master.Blobs;

/// <summary>Runs <see cref="BlobCollector"/> every <see cref="MasterOptions.BlobSweepSeconds"/>, on the leading master only.</summary>
internal sealed class BlobSweeper(BlobCollector collector, LeaderElection leader, IOptions<MasterOptions> options, TimeProvider time, ILogger<BlobSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.BlobSweepSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!leader.IsLeader)
                {
                    continue; // one collector at a time: the leader's
                }
                try
                {
                    await collector.CollectAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Log.BlobSweepFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
