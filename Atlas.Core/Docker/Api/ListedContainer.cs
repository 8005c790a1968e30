namespace Atlas.Core.Docker.Api;

/// <summary>One entry of <c>GET /containers/json</c>.</summary>
internal sealed record ListedContainer(string Id, IReadOnlyDictionary<string, string>? Labels, string? State);
