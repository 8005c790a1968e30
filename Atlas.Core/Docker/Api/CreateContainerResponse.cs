namespace Atlas.Core.Docker.Api;

/// <summary>Answer of <c>POST /containers/create</c>.</summary>
internal sealed record CreateContainerResponse(string Id, IReadOnlyList<string>? Warnings);
