namespace Atlas.Core.Docker.Api;

/// <summary>The parts of <c>GET /version</c> used to choose the API version.</summary>
internal sealed record VersionResponse(string? ApiVersion, string? MinAPIVersion);
