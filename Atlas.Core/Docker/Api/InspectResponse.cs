namespace Atlas.Core.Docker.Api;

/// <summary>The parts of <c>GET /containers/{id}/json</c> Atlas reads.</summary>
internal sealed record InspectResponse(string Id, string? Name, InspectState? State, InspectConfig? Config);
