namespace Atlas.Core.Docker.Api;

/// <summary>The engine's error body: <c>{"message": "…"}</c>.</summary>
internal sealed record ErrorResponse(string? Message);
