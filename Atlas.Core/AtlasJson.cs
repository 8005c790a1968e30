using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atlas.Core;

/// <summary>The one JSON shape of the API, the Redis records and the shared volume: camelCase, enums as lower-case strings.</summary>
public static class AtlasJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Applies Atlas's conventions to <paramref name="options"/> (for ASP.NET's own options object).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return options;
    }
}
