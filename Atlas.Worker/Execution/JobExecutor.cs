using System.Globalization;
using Atlas.Api.Leases;
using Atlas.Core;
using Atlas.Core.Bundles;
using Atlas.Core.Events;
using Atlas.Core.Jobs;
using Atlas.Core.Nodes;
using Atlas.Core.SharedVolume;
using Atlas.Core.Storage;
using Atlas.Core.Telemetry;
using Atlas.Core.Tracking;
using Atlas.Worker.Logs;
using Atlas.Worker.Options;
using Atlas.Worker.Runtime;
using Atlas.Worker.Tracking;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Atlas.Worker.Execution;

/// <summary>
/// Takes this node's assignments and runs them. Assignments wait in the node's inbox in Redis
/// until they are claimed (assigned to starting, under the assignment's fencing token), so a
/// worker that dies before it claims a job finds it again on restart; one that dies later has
/// the job handed back when it restarts, or the lease lapses and the master requeues it. The
/// start (starting to running) is recorded when the runtime reports that the process or
/// container really started. Woken by pub/sub; a slow timer covers a message missed while Redis
/// was unreachable. A manifest job's <c>work/</c> is built here, while it is starting
/// (<see cref="WorkFolder"/>). Each attempt's spans
/// (<c>job.claim</c>, <c>job.start</c>, <c>job.prepare</c>, <c>job.run</c>, <c>job.complete</c>) join the job's
/// stored trace; with nobody listening, none is created.
/// </summary>
internal sealed class JobExecutor(
    WorkerJobStore store,
    JobPaths paths,
    RunningJobs running,
    IJobRuntime runtime,
    JobTelemetryEnvironment telemetryEnvironment,
    AtlasMetrics metrics,
    IConnectionMultiplexer redis,
    IOptions<WorkerOptions> options,
    IOptions<LeaseOptions> lease,
    NodeReadiness readiness,
    MetricsIngests ingests,
    TimeProvider time,
    ILogger<JobExecutor> logger) : BackgroundService
{
    private const string StopMessagePrefix = "stop:";
    private static readonly TimeSpan OutcomeRetryLimit = TimeSpan.FromMinutes(2);
    private readonly WakeSignal _wake = new(time);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        try
        {
            await readiness.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        metrics.ObserveFreeSlots(o.Name, () => Math.Max(0, o.Slots - running.Count));
        await using var wake = new RedisSubscription(redis, RedisKeys.NodeChannel(o.Name), message => OnMessage(message!));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await wake.EnsureAsync();
                await ClaimAssignedAsync(stoppingToken);
                await _wake.WaitAsync(TimeSpan.FromSeconds(o.InboxCheckSeconds), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Drains the node (SIGTERM): it takes no new work, running jobs get the drain grace period to
    /// finish, then the rest are stopped and handed back to the queue, not failed, as are
    /// assignments not yet claimed.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        await TryAsync(() => store.SetNodeStateAsync(o.Name, NodeState.Draining, cancellationToken));
        await base.StopAsync(cancellationToken);

        var jobs = running.Snapshot();
        if (jobs.Count > 0)
        {
            Log.Draining(logger, jobs.Count, o.DrainGraceSeconds);
            try
            {
                await Task.WhenAll(jobs.Select(j => j.Completion)).WaitAsync(o.DrainGrace, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                var left = running.Snapshot();
                Log.StoppingForShutdown(logger, left.Count);
                foreach (var job in left)
                {
                    job.Stop(StopReason.Shutdown);
                }
                await Task.WhenAll(left.Select(j => j.Completion)).WaitAsync(cancellationToken);
            }
        }
        await TryAsync(() => HandBackUnstartedAsync(cancellationToken));
    }

    private async Task HandBackUnstartedAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        foreach (var assignment in await store.InboxAsync(o.Name, cancellationToken))
        {
            // Fenced: an entry whose job moved on meanwhile is refused and changes nothing.
            await store.HandBackAsync(assignment.Id, o.Name, assignment.Fence, DrainedReason(o.Name), cancellationToken);
        }
    }

    private static string DrainedReason(string node) => $"requeued: node {node} drained";

    // Redis being away must not stop a shutdown: leases then lapse and the master requeues.
    // A drain step gets a few seconds: when Redis stops together with the cluster, the client
    // would queue each write for its whole command timeout. What is not handed back here goes
    // back to the queue when its lease lapses.
    private async Task TryAsync(Func<Task> action)
    {
        if (!redis.IsConnected)
        {
            return; // Redis stopped first (Ctrl+C stops the whole cluster at once): nothing to write to
        }
        try
        {
            await action().WaitAsync(TimeSpan.FromSeconds(2), time);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // ObjectDisposedException: the host closed the connection while this step still ran.
            Log.DrainStepFailed(logger, ex);
        }
    }

    private void OnMessage(string message)
    {
        if (message.StartsWith(StopMessagePrefix, StringComparison.Ordinal))
        {
            running.Stop(message[StopMessagePrefix.Length..], StopReason.User);
        }
        else
        {
            _wake.Set();
        }
    }

    private async Task ClaimAssignedAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        try
        {
            var inbox = await store.InboxAsync(o.Name, cancellationToken);
            if (inbox.Count == 0)
            {
                return;
            }
            // One round trip claims every assignment read, each under its own token: a crash
            // right after it leaves the jobs starting under this node, and this worker's restart
            // (or the lease) puts them back in the queue.
            var began = AtlasTelemetry.ActivitySource.HasListeners() ? time.GetUtcNow() : default;
            var claim = await store.ClaimAsync(o.Name, lease.Value.Lease, inbox, cancellationToken);
            foreach (var id in claim.Stale)
            {
                Log.ClaimRefused(logger, id);
            }
            foreach (var job in claim.Claimed)
            {
                if (began != default)
                {
                    // The claim is one round trip for every assignment: each job's span is that trip.
                    using var span = AtlasTelemetry.StartJobActivity("job.claim", job.TraceParent, job.View.Id, job.View.Attempt, o.Name, job.Fence, began);
                }
                var entry = new RunningJob(job.View.Id, job.Fence, new JobLogWriter(paths, job.View.Id));
                running.TryAdd(entry);
                Log.JobClaimed(logger, job.View.Id, job.Fence);
                entry.Completion = Task.Run(() => RunAsync(entry, job), CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.InboxFailed(logger, ex);
        }
    }

    /// <summary>
    /// Runs a fenced write of a job's outcome, again and again while Redis cannot be reached (it
    /// restarts), for up to <see cref="OutcomeRetryLimit"/>: a job that ended meanwhile keeps its
    /// result rather than being run again when its lease lapses. The job stays held while this
    /// waits, so the heartbeat keeps renewing its lease once Redis is back; if the lease lapsed
    /// anyway, the fence refuses the write. A write that did land before its answer was lost is
    /// refused the second time as already ended: the outcome is still recorded once.
    /// </summary>
    private async Task<T> WhileRedisAwayAsync<T>(string id, Func<Task<T>> write)
    {
        var deadline = time.GetUtcNow() + OutcomeRetryLimit;
        while (true)
        {
            try
            {
                return await write();
            }
            catch (Exception ex) when (ex is RedisConnectionException or TimeoutException && time.GetUtcNow() < deadline)
            {
                Log.OutcomeRetrying(logger, id, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), time);
            }
        }
    }

    /// <summary>
    /// Records that the job really started (starting to running), fenced. A refusal means the job
    /// is no longer this worker's: it is stopped without recording anything more.
    /// </summary>
    private async Task RecordStartAsync(RunningJob entry, JobRecord job)
    {
        var o = options.Value;
        try
        {
            var started = await WhileRedisAwayAsync(entry.Id, () => store.StartAsync(entry.Id, o.Name, entry.Fence, lease.Value.Lease, CancellationToken.None));
            if (started is null)
            {
                Log.JobStale(logger, entry.Id);
                entry.Stop(StopReason.Stale);
                return;
            }
            metrics.Started(started.Value - job.View.SubmittedAt);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Still starting in Redis: the lease lapses, or the outcome is refused, and the job is queued again.
            Log.StartNotRecorded(logger, entry.Id, ex);
        }
    }

    /// <summary>
    /// Stops the job once it has run for its time limit, counted from its real start; it then
    /// ends failed with the reason "time limit". The timer goes with the job's entry.
    /// </summary>
    private void StartTimeLimit(RunningJob entry, int? seconds)
    {
        if (seconds is not > 0)
        {
            return;
        }
        var limit = TimeSpan.FromSeconds(seconds.Value);
        entry.TimeLimit = time.CreateTimer(_ =>
        {
            try
            {
                Log.TimeLimitReached(logger, entry.Id, limit);
                entry.Stop(StopReason.TimeLimit);
            }
            catch (ObjectDisposedException)
            {
                // It ended just as the limit came.
            }
        }, null, limit, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Builds a manifest job's <c>work/</c> from the blob store (<see cref="WorkFolder"/>) before
    /// anything is put into it or the runtime sees it: still part of starting. A missing blob or a
    /// manifest that no longer passes its checks ends the attempt failed, the reason naming the
    /// file. A worker that dies meanwhile leaves no <c>work/</c>; the next attempt builds it.
    /// </summary>
    private async Task PrepareWorkAsync(JobRecord job, RunningJob entry)
    {
        if (Directory.Exists(paths.Work(entry.Id)))
        {
            return; // a tarball job, or a later attempt: nothing to build, and no span for it
        }
        var o = options.Value;
        using var span = AtlasTelemetry.StartJobActivity("job.prepare", job.TraceParent, entry.Id, job.View.Attempt, o.Name, entry.Fence);
        try
        {
            var built = await WorkFolder.PrepareAsync(paths, entry.Id, Environment.ProcessorCount, entry.StopToken);
            span?.SetTag("atlas.job.work_built", built);
        }
        catch (Exception ex) when (ex is BundleRejectedException or IOException or UnauthorizedAccessException)
        {
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
            throw new JobStartException($"the job's files could not be prepared: {ex.Message}", ex);
        }
    }

    private async Task RunAsync(RunningJob entry, JobRecord job)
    {
        var o = options.Value;
        var attempt = job.View.Attempt;
        var spans = AttemptSpans.Begin(job, o.Name, entry.Fence, time);

        JobState state;
        int? exitCode = null;
        string? reason = null;
        MetricsIngest? ingest = null;
        var outOfMemory = false;
        try
        {
            var env = new Dictionary<string, string>(job.Spec.Env, StringComparer.Ordinal)
            {
                ["ATLAS_JOB_ID"] = entry.Id,
                ["ATLAS_PROJECT"] = job.View.Project,
                ["ATLAS_JOB_NAME"] = job.View.Name ?? entry.Id,
                ["ATLAS_ATTEMPT"] = attempt.ToString(CultureInfo.InvariantCulture),
                ["ATLAS_NODE"] = o.Name,
                // The assignment's fencing token: lets a job tell its attempts apart in what it writes.
                ["ATLAS_FENCE"] = entry.Fence.ToString(CultureInfo.InvariantCulture),
            };
            LabelEnvironment.AddTo(env, LabelEnvironment.ParamPrefix, job.Spec.Params);
            LabelEnvironment.AddTo(env, LabelEnvironment.TagPrefix, job.Spec.Tags);
            telemetryEnvironment.AddTo(env, job, o.Name, spans?.RunTraceParent);
            await PrepareWorkAsync(job, entry);
            Directory.CreateDirectory(paths.Artifacts(entry.Id));
            var jobOutputDir = runtime.Name == "docker" ? DockerRuntime.OutputMountPath : paths.Artifacts(entry.Id);
            ingest = await ingests.StartAsync(job, entry.Fence, jobOutputDir, entry.Log, CancellationToken.None);
            var launch = new JobLaunch(entry.Id, job.Spec.Image, job.Spec.Command, env, paths.Work(entry.Id), paths.Artifacts(entry.Id), new StdoutReports(entry.Log, ingest))
            {
                Started = () =>
                {
                    spans?.Started();
                    entry.StartRecorded = RecordStartAsync(entry, job);
                    StartTimeLimit(entry, job.Spec.TimeLimitSeconds);
                },
                MetricsFileName = MetricsIngests.RawFileName,
                GpuIds = job.View.GpuIds,
                Cpus = job.Spec.Resources?.Cpus,
                MemoryBytes = job.Spec.Resources?.MemoryBytes,
                OutOfMemory = () => outOfMemory = true,
            };
            exitCode = await runtime.RunAsync(launch, entry.StopToken);
            (state, reason) = entry.StopReason == StopReason.User
                ? (JobState.Cancelled, "stopped by user")
                : entry.StopReason == StopReason.TimeLimit ? (JobState.Failed, "time limit")
                : outOfMemory ? (JobState.Failed, "out of memory")
                : exitCode == 0 ? (JobState.Succeeded, null) : (JobState.Failed, $"exited with code {exitCode}");
        }
        catch (OperationCanceledException) when (entry.StopReason != StopReason.None)
        {
            // Stopped before it started.
            state = JobState.Cancelled;
            reason = "stopped by user";
        }
        catch (JobStartException ex)
        {
            Log.JobStartFailed(logger, entry.Id, ex.Message);
            state = entry.StopReason == StopReason.User ? JobState.Cancelled : JobState.Failed;
            reason = entry.StopReason == StopReason.User ? "stopped by user" : ex.Message;
        }
        catch (Exception ex)
        {
            Log.JobCrashed(logger, entry.Id, ex);
            state = JobState.Failed;
            reason = $"the worker failed while running the job: {ex.Message}";
        }

        if (ingest is not null)
        {
            // What the job reported last is stored before its end is recorded.
            await ingest.DisposeAsync();
        }
        spans?.End(state, exitCode, reason);
        try
        {
            using var complete = AtlasTelemetry.StartJobActivity("job.complete", job.TraceParent, entry.Id, attempt, o.Name, entry.Fence);
            await entry.Log.DisposeAsync();
            if (entry.StartRecorded is { } startRecorded)
            {
                await startRecorded; // the table has no starting -> succeeded: the start is written first
            }
            if (entry.StopReason == StopReason.Stale)
            {
                return; // someone else owns the job now
            }
            if (entry.StopReason == StopReason.Shutdown)
            {
                await WhileRedisAwayAsync(entry.Id, () => store.HandBackAsync(entry.Id, o.Name, entry.Fence, DrainedReason(o.Name), CancellationToken.None));
                return;
            }
            var outcome = await WhileRedisAwayAsync(entry.Id, () => store.CompleteAsync(entry.Id, o.Name, entry.Fence, state, exitCode, reason, CancellationToken.None));
            if (outcome == CompleteOutcome.Done)
            {
                metrics.Finished(state);
                Log.JobEnded(logger, entry.Id, JobStateMachine.Name(state), exitCode);
            }
            else if (outcome == CompleteOutcome.Retried)
            {
                Log.JobRetried(logger, entry.Id, exitCode);
            }
            else
            {
                Log.CompletionRefused(logger, entry.Id, outcome.ToString());
            }
            complete?.SetTag("atlas.job.outcome", outcome.ToString());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The lease will lapse and the job will be queued again: at-least-once, never silently lost.
            Log.JobCrashed(logger, entry.Id, ex);
        }
        finally
        {
            entry.Log.Complete();
            running.Remove(entry.Id);
            entry.Dispose();
        }
    }
}
