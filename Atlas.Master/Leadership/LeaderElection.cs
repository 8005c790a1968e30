using Atlas.Core.Storage;
using Atlas.Master.Options;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Atlas.Master.Leadership;

/// <summary>
/// Keeps exactly one master active: the leader holds a lease in Redis (a key with a TTL, so
/// Redis's clock decides) and renews it three times per lease period; the others stand by and
/// take it when it lapses. Every write of the scheduler and the reaper carries the leader's epoch
/// and Redis refuses it once another master has taken over, so two masters never act at once
/// even if one is paused. Any master serves the API: submits and reads go straight to Redis.
/// </summary>
public sealed class LeaderElection(MasterJobStore store, IOptions<MasterOptions> options, TimeProvider time, ILogger<LeaderElection> logger) : BackgroundService
{
    private long _epoch;
    private long _validUntil;

    /// <summary>Raised when this master becomes the leader, so its loops start at once.</summary>
    public event Action? BecameLeader;

    /// <summary>This master's id in the leader key.</summary>
    public string MasterId { get; } = options.Value.Name;

    /// <summary>The leadership epoch while this master leads and its lease is surely still valid; 0 otherwise.</summary>
    public long Epoch => time.GetTimestamp() < Volatile.Read(ref _validUntil) ? Volatile.Read(ref _epoch) : 0;

    public bool IsLeader => Epoch != 0;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lease = options.Value.LeaderLease;
        using var timer = new PeriodicTimer(lease / 3, time);
        try
        {
            do
            {
                await TryLeadAsync(lease, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (Volatile.Read(ref _epoch) != 0)
        {
            Volatile.Write(ref _epoch, 0);
            try
            {
                // Bounded: when Redis stops together with the cluster, the client would queue the
                // write for its whole command timeout; the lease lapses by itself anyway.
                await store.ResignAsync(MasterId, cancellationToken).WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
                Log.Resigned(logger, MasterId);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // The lease lapses by itself.
            }
        }
    }

    private async Task TryLeadAsync(TimeSpan lease, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        long epoch;
        try
        {
            epoch = await store.LeadAsync(MasterId, lease, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.LeaseRenewalFailed(logger, ex);
            return; // Epoch turns 0 by itself once the last renewal is too old.
        }
        var previous = Interlocked.Exchange(ref _epoch, epoch);
        // Count the lease from before the call: Redis set its TTL no earlier than that.
        // Two thirds of it, so this master stops acting well before Redis could let another lead.
        Volatile.Write(ref _validUntil, epoch == 0 ? 0 : started + (long)(lease.TotalSeconds * 2 / 3 * time.TimestampFrequency));
        if (epoch != 0 && previous != epoch)
        {
            Log.BecameLeader(logger, MasterId, epoch);
            BecameLeader?.Invoke();
        }
        else if (epoch == 0 && previous != 0)
        {
            Log.LostLeadership(logger, MasterId);
        }
    }
}
