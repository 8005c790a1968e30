using Atlas.Api.Leases;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using Atlas.Core.SharedVolume;
using Atlas.Core.Storage;
using Atlas.Worker.Options;
using Atlas.Worker.Resources;
using Atlas.Worker.Runtime;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Atlas.Worker.Execution;

/// <summary>
/// Registers the node before it takes work, then renews its liveness and its jobs' leases at each
/// heartbeat. A job whose token the store calls stale is stopped here without recording anything:
/// it belongs to another assignment now.
/// </summary>
internal sealed class NodeHeartbeat(
    WorkerJobStore store,
    JobReader reader,
    JobPaths paths,
    RunningJobs running,
    IJobRuntime runtime,
    NodeResourceDetector detector,
    IOptions<WorkerOptions> options,
    IOptions<LeaseOptions> lease,
    NodeReadiness readiness,
    IConnectionMultiplexer redis,
    TimeProvider time,
    ILogger<NodeHeartbeat> logger) : BackgroundService
{
    // In the background, not in StartAsync: a worker whose Redis is not up yet still answers
    // /alive (and /health says unhealthy) instead of not listening at all.
    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var resources = await detector.DetectAsync(cancellationToken);
        Log.Resources(logger, o.Name, string.Join(',', resources.Gpus.Select(g => g.Id)), resources.CpuMillis / 1000.0, Quantities.FormatBytes(Math.Max(1, resources.MemoryBytes)), resources.Limits, resources.LimitsNote);
        IReadOnlyList<string> held;
        while (true)
        {
            try
            {
                held = await store.RegisterNodeAsync(new NodeRegistration(o.Name, o.Address!, runtime.Name, o.Slots) { Resources = resources }, o.AliveFor, cancellationToken);
                break;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.HeartbeatFailed(logger, ex); // Redis is not up yet: the node waits for it
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }
        Log.Registered(logger, o.Name, o.Address!, o.Slots, runtime.Name);
        await SettleEarlierLifeAsync(held, cancellationToken);
        readiness.Set();
    }

    /// <summary>
    /// A worker that starts holds no job, so any the store still has starting or running on this
    /// node were left by an earlier life that crashed: their processes or containers are ended
    /// and the jobs are handed back to the queue now, rather than when their leases lapse.
    /// Assigned jobs not yet claimed stay: the executor claims them.
    /// </summary>
    private async Task SettleEarlierLifeAsync(IReadOnlyList<string> held, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var running = new List<JobRecord>();
        foreach (var id in held)
        {
            if (await reader.GetAsync(id, cancellationToken, withHistory: false) is { View.State: JobState.Starting or JobState.Running } job && job.View.Node == o.Name)
            {
                running.Add(job);
            }
        }
        await runtime.RemoveLeftoversAsync([.. running.Select(j => paths.Job(j.View.Id))], cancellationToken);
        foreach (var job in running)
        {
            Log.RequeuedAfterRestart(logger, job.View.Id);
            await store.HandBackAsync(job.View.Id, o.Name, job.Fence, $"requeued: node {o.Name} restarted", cancellationToken);
        }
    }

    /// <summary>After the executor has drained (it stops first), the node leaves: marked down, it gets no work.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!redis.IsConnected)
        {
            return; // Redis stopped first: the master marks a silent node down
        }
        try
        {
            // Bounded: when Redis stops together with the cluster, the client would queue the
            // write for its whole command timeout; the master marks a silent node down anyway.
            await store.SetNodeStateAsync(options.Value.Name, NodeState.Down, cancellationToken).WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
        }
        // ObjectDisposedException: the host is already tearing down the Redis connection; the
        // master marks the node down once its heartbeats stop, as for a crash.
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Log.HeartbeatFailed(logger, ex);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        try
        {
            await RegisterAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        using var timer = new PeriodicTimer(o.Heartbeat, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var held = running.Snapshot().Select(j => (j.Id, j.Fence));
                    foreach (var stale in await store.HeartbeatAsync(o.Name, o.AliveFor, lease.Value.Lease, held, stoppingToken))
                    {
                        Log.JobStale(logger, stale);
                        running.Stop(stale, StopReason.Stale);
                    }
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    Log.HeartbeatFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
