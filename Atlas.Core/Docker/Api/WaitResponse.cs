namespace Atlas.Core.Docker.Api;

/// <summary>Answer of <c>POST /containers/{id}/wait</c>.</summary>
internal sealed record WaitResponse(long StatusCode, WaitError? Error);
