namespace Atlas.Core.Bundles;

/// <summary>The answer of <c>POST /api/v1/blobs/missing</c>: which of the asked hashes the caller must upload.</summary>
public sealed record MissingBlobsView(IReadOnlyList<string> Missing);
