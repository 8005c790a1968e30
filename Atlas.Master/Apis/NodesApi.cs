using Atlas.Core.Nodes;
using Atlas.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Atlas.Master.Apis;

/// <summary>The node overview, <c>/api/v1/nodes</c>.</summary>
public static class NodesApi
{
    public static IEndpointRouteBuilder MapNodesApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/nodes").WithTags("Nodes").MapGet("/", ListNodes).WithSummary("Every worker node, its state and load.");
        return app;
    }

    public static async Task<Ok<IReadOnlyList<NodeView>>> ListNodes(JobReader store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListNodesAsync(cancellationToken));
}
