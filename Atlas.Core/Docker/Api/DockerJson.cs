using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atlas.Core.Docker.Api;

/// <summary>
/// The Engine API's JSON: property names as the C# records spell them (PascalCase, which is
/// what the engine wants), read case-insensitively because some answers (pull progress, errors)
/// are camelCase; unset options are left out so the engine applies its own defaults.
/// </summary>
internal static class DockerJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = null,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
