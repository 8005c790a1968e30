using Atlas.Api.Auth;
using Atlas.Core.Bundles;
using Atlas.Master.Blobs;
using Atlas.Master.Options;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Atlas.Master.Apis;

/// <summary>
/// The blob API, <c>/api/v1/blobs</c>: what a client uploads before it submits a manifest
/// (a <c>manifest</c> part instead of a <c>bundle</c> on <c>POST /api/v1/jobs</c>). Every call
/// is in the caller's own scope (<see cref="BlobStore"/>).
/// </summary>
public static class BlobsApi
{
    public static IEndpointRouteBuilder MapBlobsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/blobs").WithTags("Blobs");
        api.MapPost("/missing", FindMissing).WithSummary("Which of these SHA-256s the caller has not uploaded yet.");
        api.MapPut("/{sha256}", PutBlob).Accepts<Stream>("application/octet-stream")
            .WithSummary("Upload one file's bytes under their SHA-256; refused unless they hash to it.");
        return app;
    }

    public static Results<Ok<MissingBlobsView>, ProblemHttpResult> FindMissing(
        MissingBlobsRequest? request, Caller caller, BlobStore store, IOptions<MasterOptions> options)
    {
        if (request?.Hashes is not { } hashes)
        {
            return Problems.Invalid("hashes", "Send {\"hashes\": [\"<sha256>\", …]}.");
        }
        if (hashes.Count > options.Value.MaxBundleEntries)
        {
            return Problems.Invalid("hashes", $"At most {options.Value.MaxBundleEntries} at once, the most files a bundle may hold.");
        }
        for (var i = 0; i < hashes.Count; i++)
        {
            if (!ManifestReader.IsSha256(hashes[i]))
            {
                return Problems.Invalid($"hashes[{i}]", "Must be 64 lower-case hex digits.");
            }
        }
        return TypedResults.Ok(new MissingBlobsView(store.Missing(BlobStore.Scope(caller.Owner), hashes)));
    }

    public static async Task<Results<Created, Ok, ProblemHttpResult>> PutBlob(
        string sha256, HttpRequest request, Caller caller, BlobStore store, IOptions<MasterOptions> options, CancellationToken cancellationToken)
    {
        if (!ManifestReader.IsSha256(sha256))
        {
            return Problems.Invalid("sha256", "Must be 64 lower-case hex digits.");
        }
        var limit = options.Value.MaxBundleBytes;
        if (request.ContentLength > limit)
        {
            return TooLarge(limit);
        }
        return await store.PutAsync(BlobStore.Scope(caller.Owner), sha256, request.Body, limit, cancellationToken) switch
        {
            BlobPut.Stored => TypedResults.Created($"/api/v1/blobs/{sha256}"),
            BlobPut.Existed => TypedResults.Ok(),
            BlobPut.TooLarge => TooLarge(limit),
            _ => Problems.Invalid("sha256", "The uploaded bytes do not hash to this SHA-256; nothing was stored."),
        };
    }

    private static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The blob is too large.",
            detail: $"body: a blob may hold at most {limit} bytes (Atlas:Master:MaxBundleBytes).");
}
