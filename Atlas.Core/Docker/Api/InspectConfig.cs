namespace Atlas.Core.Docker.Api;

/// <summary>A container's <c>Config</c>.</summary>
internal sealed record InspectConfig(IReadOnlyDictionary<string, string>? Labels);
