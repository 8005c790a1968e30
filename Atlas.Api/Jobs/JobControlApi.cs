using Atlas.Core.Jobs;
using Atlas.Core.SharedVolume;
using Atlas.Core.Storage;
using Atlas.Api.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Atlas.Api.Jobs;

/// <summary>
/// The job call that both the master and a worker answer: <c>{id}/logs</c>. The gateway sends
/// it to the node running the job (found through the job-to-node lookup), and to the master
/// otherwise, so both must give the same answers, the owner check included: a call that reaches
/// a worker directly is held to the same rules as one through the gateway. (A stop is the
/// master's: it is a write to Redis, which wakes the node.)
/// </summary>
public static class JobControlApi
{
    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>Maps the call on a <c>/api/v1/jobs</c> group.</summary>
    public static RouteGroupBuilder MapJobControlApi(this RouteGroupBuilder jobs)
    {
        jobs.MapGet("/{id}/logs", GetLogs).WithSummary("The job's output; with follow=true, streamed until the job ends.");
        return jobs;
    }

    public static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> GetLogs(
        string id, bool? follow, Caller caller, JobReader store, JobPaths paths, TimeProvider time, IServiceProvider services, CancellationToken cancellationToken)
    {
        var access = JobId.IsValid(id) ? await store.AccessAsync(id, cancellationToken) : null;
        if (access is null || !caller.CanAccess(access.Value.Owner))
        {
            return Problems.JobNotFound(id);
        }
        Func<CancellationToken, Task<bool>>? waitForMore = null;
        if (follow == true && !JobStateMachine.IsTerminal(access.Value.State))
        {
            waitForMore = (services.GetService(typeof(ILiveLogs)) as ILiveLogs)?.Follow(id) ?? (async ct =>
            {
                // Not running here: watch the job's state until it ends.
                await Task.Delay(FollowPoll, time, ct);
                return await store.StateAsync(id, ct) is { } s && !JobStateMachine.IsTerminal(s);
            });
        }
        return TypedResults.Stream(
            body => LogTail.CopyAsync(paths.OutputLog(id), body, waitForMore, cancellationToken),
            "text/plain; charset=utf-8");
    }
}
