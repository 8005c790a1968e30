using Atlas.Core.Jobs;
using Atlas.Core.Scheduling;
using Atlas.Core.Storage;
using Atlas.Api.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Atlas.Master.Apis;

/// <summary>The queue overview, <c>/api/v1/queue</c>: a count of everyone's waiting jobs and the caller's own places, never others' jobs.</summary>
public static class QueueApi
{
    public static IEndpointRouteBuilder MapQueueApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/queue").WithTags("Queue").MapGet("/", GetQueue).WithSummary("How many jobs wait, and where yours stand.");
        return app;
    }

    public static async Task<Ok<QueueView>> GetQueue(
        Caller caller, JobReader store, PlacementStore placement, IOptions<SchedulingOptions> scheduling, CancellationToken cancellationToken)
    {
        var view = await store.QueueAsync(caller.Subject, cancellationToken);
        var options = scheduling.Value;
        var (jobs, gpus) = await placement.HeldByAsync(caller.Subject, cancellationToken);
        var policy = options.Policy == PlacementPolicyKind.Fifo ? "fifo" : "fair";
        return TypedResults.Ok(view with { Limits = new QueueLimits(options.MaxRunningJobsFor(caller.Username), options.MaxGpusFor(caller.Username), jobs, gpus, policy) });
    }
}
