using System.Text.Json.Serialization;

namespace Atlas.Core.Docker.Api;

/// <summary>A container's <c>State</c>.</summary>
internal sealed record InspectState(
    string? Status,
    bool Running,
    long ExitCode,
    [property: JsonPropertyName("OOMKilled")] bool OomKilled);
