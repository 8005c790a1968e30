using System.Text.Json;
using Atlas.Core;

namespace Atlas.Cli.Output;

/// <summary><c>--output json</c>: the API's own JSON, indented, on stdout.</summary>
public static class JsonOutput
{
    private static readonly JsonSerializerOptions Indented = new(AtlasJson.Options) { WriteIndented = true };

    public static void Write<T>(TextWriter output, T value) => output.WriteLine(JsonSerializer.Serialize(value, Indented));
}
