using Amazon.Runtime;
using Atlas.Core.Nodes;
using Atlas.Core.Storage;
using Atlas.Master.Leadership;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Atlas.Master.Scaling;

/// <summary>
/// Adds EC2 workers when jobs wait that the nodes' free slots cannot take, up to the maximum, and
/// terminates dynamic workers idle past the idle period; with idle shutdown set, terminates every
/// dynamic worker once no job has been queued or running for that long. Only the leader acts.
/// It only ever terminates what <see cref="FleetInstance.IsDynamicWorkerOf"/> accepts: this
/// cluster's dynamic workers, never its static ones, nor another cluster's.
/// A failed look (EC2 or Redis unreachable) is logged and tried again at the next check.
/// </summary>
internal sealed class DynamicWorkerManager(
    MasterJobStore store, JobReader reader, LeaderElection leader, IWorkerFleet fleet, IOptions<DynamicWorkerOptions> options, TimeProvider time,
    ILogger<DynamicWorkerManager> logger) : BackgroundService
{
    private readonly Dictionary<string, DateTimeOffset> _idleSince = new(StringComparer.Ordinal);
    private DateTimeOffset? _lastActivity;

    private DynamicWorkerOptions O => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!O.Enabled)
        {
            return;
        }
        Log.DynamicWorkersOn(logger, O.ClusterId!, O.MaxWorkers);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(O.CheckIntervalSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!leader.IsLeader)
                {
                    continue;
                }
                try
                {
                    await TickAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or RedisException or TimeoutException or HttpRequestException)
                {
                    Log.DynamicWorkersFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One look at the queue, the nodes and the fleet, and what follows from it.</summary>
    internal async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (queued, running) = await store.CountsAsync(cancellationToken);
        var nodes = (await reader.ListNodesAsync(cancellationToken)).Where(n => n.State != NodeState.Down).ToList();
        var workers = await fleet.ListAsync(cancellationToken);
        _lastActivity ??= now;
        if (queued > 0 || running > 0)
        {
            _lastActivity = now;
        }

        if (O.IdleShutdownMinutes > 0 && now - _lastActivity >= TimeSpan.FromMinutes(O.IdleShutdownMinutes))
        {
            await TerminateAsync([.. workers.Select(w => w.Id)], "no job for the idle-shutdown period", cancellationToken);
            return;
        }

        var free = nodes.Where(n => n.State == NodeState.Ready).Sum(n => Math.Max(0, n.Slots - n.Running));
        var booting = workers.Count(w => NodeOf(w, nodes) is null && now - w.LaunchTime < BootGrace);
        var waiting = queued - free - (long)booting * O.SlotsPerWorker;
        if (waiting > 0 && workers.Count < O.MaxWorkers)
        {
            var count = (int)Math.Min(O.MaxWorkers - workers.Count, (waiting + O.SlotsPerWorker - 1) / O.SlotsPerWorker);
            var launched = await fleet.LaunchAsync(count, cancellationToken);
            Log.LaunchedWorkers(logger, launched.Count, queued, free);
        }

        var idle = new List<string>();
        foreach (var worker in workers)
        {
            var node = NodeOf(worker, nodes);
            // A worker that never registered counts as idle once it had time to boot.
            var isIdle = node is null ? now - worker.LaunchTime >= BootGrace : node.Running == 0;
            if (!isIdle)
            {
                _idleSince.Remove(worker.Id);
                continue;
            }
            var since = _idleSince.TryGetValue(worker.Id, out var s) ? s : _idleSince[worker.Id] = now;
            if (queued == 0 && now - since >= TimeSpan.FromSeconds(O.MaxIdleSeconds))
            {
                idle.Add(worker.Id);
            }
        }
        await TerminateAsync(idle, "idle past the idle period", cancellationToken);
        foreach (var gone in _idleSince.Keys.Where(id => workers.All(w => w.Id != id)).ToList())
        {
            _idleSince.Remove(gone);
        }
    }

    private TimeSpan BootGrace => TimeSpan.FromSeconds(O.BootGraceSeconds);

    private async Task TerminateAsync(List<string> ids, string why, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }
        await fleet.TerminateAsync(ids, cancellationToken);
        foreach (var id in ids)
        {
            _idleSince.Remove(id);
        }
        Log.TerminatedWorkers(logger, ids.Count, why, string.Join(' ', ids));
    }

    /// <summary>The node a worker registered as: its <c>HOST_ADDRESS</c> is on the instance's private address.</summary>
    private static NodeView? NodeOf(FleetInstance worker, List<NodeView> nodes) =>
        worker.PrivateIp is null ? null
            : nodes.FirstOrDefault(n => Uri.TryCreate(n.Address, UriKind.Absolute, out var u) ? u.Host == worker.PrivateIp : n.Address == worker.PrivateIp);
}
