namespace Atlas.Core.Docker.Api;

/// <summary>The error the engine met while waiting, if any.</summary>
internal sealed record WaitError(string? Message);
