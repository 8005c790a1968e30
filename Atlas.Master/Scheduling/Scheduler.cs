using Atlas.Api.Leases;
using Atlas.Core;
using Atlas.Core.Events;
using Atlas.Core.Scheduling;
using Atlas.Core.Storage;
using Atlas.Core.Telemetry;
using Atlas.Master.Leadership;
using Atlas.Master.Options;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Atlas.Master.Scheduling;

/// <summary>
/// Places queued jobs on nodes when something changes: a job is submitted, a slot is freed, a
/// node joins. Events arrive on Redis pub/sub and coalesce into one pending pass; a slow timer
/// covers events missed while Redis was unreachable and keeps fair share's usage up to date.
/// A pass reads a snapshot (<see cref="PlacementStore"/>), decides in C# (<see cref="PlacementPolicy"/>:
/// resources, fair share, backfill, limits, wait reasons) and applies the decisions in one Lua
/// script that checks each again, so it is atomic and a stale decision is refused.
/// Each placed job gets a <c>job.place</c> span in its own trace, timed by the script's round
/// trip; after each pass the queue and running counts are read for the gauges, only while
/// someone collects them.
/// </summary>
internal sealed class Scheduler(
    MasterJobStore store,
    PlacementStore placement,
    IOptions<SchedulingOptions> scheduling,
    LeaderElection leader,
    IConnectionMultiplexer redis,
    AtlasMetrics metrics,
    IOptions<MasterOptions> options,
    IOptions<LeaseOptions> lease,
    TimeProvider time,
    ILogger<Scheduler> logger) : BackgroundService
{
    // A pass places all it can from its snapshot; a few more follow while it keeps placing (the heads read were used up).
    private const int MaxPassesPerWake = 16;
    private readonly WakeSignal _wake = new(time);
    private (long Queued, long Running)? _counts;
    private long _repairedFor;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.ObserveQueue(() => leader.Epoch == 0 ? null : _counts);
        await using var events = new RedisSubscription(redis, RedisKeys.SchedulerChannel, _ => _wake.Set());
        leader.BecameLeader += _wake.Set;
        try
        {
            var idle = TimeSpan.FromSeconds(options.Value.IdleRescheduleSeconds);
            while (!stoppingToken.IsCancellationRequested)
            {
                await events.EnsureAsync();
                await PlaceAllAsync(stoppingToken);
                await _wake.WaitAsync(idle, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            leader.BecameLeader -= _wake.Set;
        }
    }

    private async Task PlaceAllAsync(CancellationToken cancellationToken)
    {
        if (leader.Epoch == 0)
        {
            return; // a standby places nothing
        }
        try
        {
            var options = scheduling.Value;
            if (_repairedFor != leader.Epoch)
            {
                // Once per lead: jobs an older version queued without an owner queue become visible.
                var repaired = await placement.RepairOwnerQueuesAsync(cancellationToken);
                _repairedFor = leader.Epoch;
                if (repaired > 0)
                {
                    Log.OwnerQueuesRepaired(logger, repaired);
                }
            }
            for (var pass = 0; pass < MaxPassesPerWake; pass++)
            {
                var began = AtlasTelemetry.ActivitySource.HasListeners() ? time.GetUtcNow() : default;
                var snapshot = await placement.ReadSnapshotAsync(options.HeadsPerOwner, cancellationToken);
                var plan = PlacementPolicy.Plan(snapshot, options);
                var result = await placement.ApplyAsync(plan, lease.Value.Lease, TimeSpan.FromSeconds(options.ReasonsTtlSeconds), leader.Epoch, cancellationToken);
                if (result.Placed.Count > 0)
                {
                    TracePlacements(result.Placed, began);
                    Log.Placed(logger, result.Placed.Count);
                }
                if (result.Placed.Count == 0 && result.Refused.Count == 0)
                {
                    break;
                }
            }
            if (metrics.QueueObserved)
            {
                _counts = await store.CountsAsync(cancellationToken);
            }
        }
        catch (NotLeaderException)
        {
            // Another master took over; this one stands by from now on.
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.SchedulingFailed(logger, ex);
            await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken);
        }
    }

    // One script places many jobs: each gets a span of the round trip in its own trace.
    private void TracePlacements(IReadOnlyList<PlacedJob> placed, DateTimeOffset began)
    {
        if (began == default)
        {
            return;
        }
        foreach (var job in placed)
        {
            using var activity = AtlasTelemetry.StartJobActivity("job.place", job.TraceParent, job.Id, job.Attempt, job.Node, job.Fence, began);
        }
    }
}
