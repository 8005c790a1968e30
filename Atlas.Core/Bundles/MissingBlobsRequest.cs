namespace Atlas.Core.Bundles;

/// <summary>The body of <c>POST /api/v1/blobs/missing</c>: the SHA-256s a client is about to name in a manifest.</summary>
public sealed record MissingBlobsRequest(IReadOnlyList<string>? Hashes);
