using Atlas.Core.Jobs;
using Atlas.Core.Schedules;
using Atlas.Core.SharedVolume;
using Atlas.Core.Storage;
using Atlas.Core.Tracking;
using Atlas.Master.Leadership;
using Atlas.Master.Submission;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Atlas.Master.Schedules;

/// <summary>
/// Submits the jobs of due schedules; only the leader does. Each tick is claimed in one fenced
/// compare-and-set on the schedule's next run that also records the tick's job id as pending
/// (<see cref="ScheduleStore.ClaimTickAsync"/>), then submitted through <see cref="JobSubmitter"/>
/// under that id, then marked done. A leader that dies between the claim and the submit leaves
/// the tick pending: its successor submits it first, under the same id, so a tick runs exactly
/// once (a repeated submit of an id answers the job already recorded). Ticks missed while no
/// master led are folded into one: the earliest runs, the next is the first after now.
/// </summary>
internal sealed class ScheduleTicker(
    ScheduleStore schedules, JobSubmitter submitter, TrackingReader tracking, JobPaths paths, LeaderElection leader,
    IOptions<ScheduleOptions> options, TimeProvider time, ILogger<ScheduleTicker> logger) : BackgroundService
{
    private const int MaxMissedCounted = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var epoch = leader.Epoch;
                if (epoch == 0)
                {
                    continue; // only the leader ticks
                }
                try
                {
                    await TickAsync(epoch, stoppingToken);
                }
                catch (NotLeaderException)
                {
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.TickFailed(logger, ex); // the master keeps serving; the next look tries again
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One look: finish the pending ticks, then claim and submit the due ones.</summary>
    internal async Task TickAsync(long epoch, CancellationToken cancellationToken)
    {
        foreach (var id in await schedules.PendingAsync(cancellationToken))
        {
            await OneAsync(id, async () =>
            {
                if (await schedules.GetAsync(id, cancellationToken) is { PendingJob: { } job, PendingTick: { } tick } schedule)
                {
                    await SubmitAsync(schedule, tick, job, cancellationToken);
                }
                else
                {
                    await schedules.TickDoneAsync(id, "", cancellationToken); // removed, or finished meanwhile
                }
            });
        }

        var now = time.GetUtcNow();
        foreach (var id in await schedules.DueAsync(now, options.Value.MaxTicksPerCheck, cancellationToken))
        {
            await OneAsync(id, () => TickDueAsync(id, now, epoch, cancellationToken));
        }
    }

    // One schedule's trouble (a file it cannot read, a refusal it cannot explain) does not hold up
    // the others; its tick stays claimed-and-pending, or due, for the next look. Redis trouble and a
    // lost lead end the whole look.
    private async Task OneAsync(string id, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception ex) when (ex is not (NotLeaderException or RedisException or TimeoutException or OperationCanceledException))
        {
            Log.ScheduleTickFailed(logger, id, ex);
        }
    }

    private async Task TickDueAsync(string id, DateTimeOffset now, long epoch, CancellationToken cancellationToken)
    {
        if (await schedules.GetAsync(id, cancellationToken) is not { Next: { } tick } schedule ||
            !CronSchedule.TryParse(schedule.Cron, schedule.TimeZone, out var cron, out _))
        {
            return;
        }
        var following = cron!.NextAfter(now);
        var missed = CountMissed(cron, tick, now);
        var job = JobId.ForTick(id, tick);
        var claim = await schedules.ClaimTickAsync(id, tick, following ?? DateTimeOffset.MaxValue, job, epoch, cancellationToken);
        if (claim != TickClaim.Claimed)
        {
            return;
        }
        if (missed > 0)
        {
            Log.TicksMissed(logger, id, missed, tick);
        }
        await SubmitAsync(schedule, tick, job, cancellationToken);
        if (following is null)
        {
            Log.ScheduleExhausted(logger, id, schedule.Cron);
            await schedules.PauseAsync(id, cancellationToken);
        }
    }

    private async Task SubmitAsync(ScheduleRecord schedule, DateTimeOffset tick, string jobId, CancellationToken cancellationToken)
    {
        var bundle = paths.ScheduleBundle(schedule.Id);
        var spec = ScheduledSpec.ForTick(schedule.Spec, schedule.Id, tick);
        var result = File.Exists(bundle) || Directory.Exists(paths.Job(jobId))
            ? await submitter.SubmitFileAsync(spec, File.Exists(bundle) ? bundle : null, schedule.Owner, jobId, cancellationToken)
            : null;
        if (result?.Job is { } submitted)
        {
            if (!result.Replayed)
            {
                await RecordLabelsAsync(submitted, cancellationToken);
            }
            Log.TickSubmitted(logger, schedule.Id, submitted.Id, tick);
        }
        else
        {
            var reason = result is null ? "its bundle is gone from the shared volume"
                : string.Join(" ", result.Errors?.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}") ?? [result.Title ?? "refused"]);
            Log.TickRefused(logger, schedule.Id, tick, reason);
        }
        // A refusal will not change by trying again (the spec and bundle were checked when the schedule was added).
        await schedules.TickDoneAsync(schedule.Id, jobId, cancellationToken);
    }

    // As the jobs API does after a submit; the spec keeps them if this fails.
    private async Task RecordLabelsAsync(JobView job, CancellationToken cancellationToken)
    {
        try
        {
            await tracking.RecordSubmitAsync(job.Id, job.Params, job.Tags, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.LabelsNotRecorded(logger, job.Id, ex);
        }
    }

    private static int CountMissed(CronSchedule cron, DateTimeOffset tick, DateTimeOffset now)
    {
        var missed = 0;
        for (var t = cron.NextAfter(tick); t is { } at && at <= now && missed < MaxMissedCounted; t = cron.NextAfter(at))
        {
            missed++;
        }
        return missed;
    }
}
