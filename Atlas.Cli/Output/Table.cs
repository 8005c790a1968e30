using System.Globalization;
using System.Text.Json;
using Atlas.Core;

namespace Atlas.Cli.Output;

/// <summary>Prints rows as aligned columns, and the shared formats of times and durations.</summary>
public static class Table
{
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        output.WriteLine(Line(headers, widths).ToUpperInvariant());
        foreach (var row in all)
        {
            output.WriteLine(Line(row, widths));
        }
    }

    public static void Json<T>(TextWriter output, T value) => output.WriteLine(JsonSerializer.Serialize(value, Indented));

    public static string Time(DateTimeOffset? at) =>
        at is null ? "-" : at.Value.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Duration(DateTimeOffset? from, DateTimeOffset? to, DateTimeOffset now)
    {
        if (from is null)
        {
            return "-";
        }
        var span = (to ?? now) - from.Value;
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:00}m"
            : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes}m{span.Seconds:00}s"
            : $"{span.TotalSeconds:0.0}s";
    }

    private static string Line(IReadOnlyList<string> cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd();

    private static readonly JsonSerializerOptions Indented = new(AtlasJson.Options) { WriteIndented = true };
}
