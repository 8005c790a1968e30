using System.Text.Encodings.Web;
using System.Text.Json;

namespace Atlas.AppHost.Publishing;

/// <summary>Scalars for generated YAML: JSON strings, which YAML reads as double-quoted scalars.</summary>
public static class YamlText
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><paramref name="value"/> quoted.</summary>
    public static string Quote(string value) => JsonSerializer.Serialize(value, Relaxed);

    /// <summary>A flow list of quoted items: <c>["a", "b"]</c>.</summary>
    public static string List(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(Quote)) + "]";
}
