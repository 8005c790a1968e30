using Atlas.Api.Jobs;

namespace Atlas.Worker.Apis;

/// <summary>The calls the gateway forwards to this node for the jobs it runs: live logs and stop.</summary>
public static class WorkerJobsApi
{
    public static IEndpointRouteBuilder MapWorkerJobsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/jobs").WithTags("Jobs").MapJobControlApi();
        return app;
    }
}
