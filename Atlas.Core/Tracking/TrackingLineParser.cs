using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Atlas.Core.Tracking;

/// <summary>
/// Reads one line a job reported, from its metrics file or from stdout after
/// <see cref="StdoutPrefix"/>: a JSON object <c>{"metric":"loss","value":0.31,"step":120}</c>,
/// <c>{"param":"lr","value":0.001}</c>, <c>{"tag":"stage","value":"baseline"}</c> or
/// <c>{"artifact":"model.pt"}</c>. Anything else is a fault, never an exception.
/// </summary>
public static partial class TrackingLineParser
{
    /// <summary>A stdout line that starts with this carries one report line after it.</summary>
    public const string StdoutPrefix = "@@atlas ";

    /// <summary>The longest name of a metric, param or tag.</summary>
    public const int MaxNameLength = 128;

    /// <summary>The longest value of a param or tag, and the longest artifact path.</summary>
    public const int MaxTextLength = 1024;

    /// <summary>Reads <paramref name="line"/>. <paramref name="jobOutputDir"/> is <c>ATLAS_OUTPUT_DIR</c> as the job sees it, so an absolute artifact path inside it is taken too.</summary>
    public static ParsedLine Parse(ReadOnlySpan<byte> line, string? jobOutputDir)
    {
        line = Trim(line);
        if (line.IsEmpty)
        {
            return ParsedLine.Fail(LineFault.Garbage, "an empty line");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException)
        {
            // Python's json.dumps writes NaN and Infinity as bare words, which JSON does not allow.
            var text = Encoding.UTF8.GetString(line);
            return NonFiniteLiteral().IsMatch(text)
                ? ParsedLine.Fail(LineFault.NonFinite, $"a value that is not a finite number: {Shorten(text)}")
                : ParsedLine.Fail(LineFault.Garbage, $"not a JSON object: {Shorten(text)}");
        }
        using (doc)
        {
            return Read(doc.RootElement, jobOutputDir);
        }
    }

    private static ParsedLine Read(JsonElement root, string? jobOutputDir)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Garbage(root, "not a JSON object");
        }
        if (root.TryGetProperty("metric", out var metric))
        {
            if (Name(metric) is not { } name)
            {
                return Garbage(root, "a metric needs a name of 1 to 128 printable characters");
            }
            if (!root.TryGetProperty("value", out var value))
            {
                return Garbage(root, $"metric '{name}' has no value");
            }
            if (!TryFinite(value, out var number, out var fault))
            {
                return fault == LineFault.NonFinite
                    ? ParsedLine.Fail(LineFault.NonFinite, $"metric '{name}': the value is not a finite number")
                    : Garbage(root, $"metric '{name}': the value is not a number");
            }
            long? step = null;
            if (root.TryGetProperty("step", out var s) && s.ValueKind != JsonValueKind.Null)
            {
                if (s.ValueKind != JsonValueKind.Number || !s.TryGetInt64(out var n) || n < 0)
                {
                    return Garbage(root, $"metric '{name}': the step is not a whole number of at least 0");
                }
                step = n;
            }
            return ParsedLine.Of(new TrackingEntry(EntryKind.Metric, name, number, null, step));
        }
        if (root.TryGetProperty("param", out var param))
        {
            return Labelled(root, EntryKind.Param, param, "param");
        }
        if (root.TryGetProperty("tag", out var tag))
        {
            return Labelled(root, EntryKind.Tag, tag, "tag");
        }
        if (root.TryGetProperty("artifact", out var artifact))
        {
            if (artifact.ValueKind != JsonValueKind.String || artifact.GetString() is not { Length: > 0 and <= MaxTextLength } path || path.Contains('\0', StringComparison.Ordinal))
            {
                return Garbage(root, "an artifact needs a path");
            }
            return ArtifactPath(path, jobOutputDir) is { } relative
                ? ParsedLine.Of(new TrackingEntry(EntryKind.Artifact, relative, 0, null, null))
                : ParsedLine.Fail(LineFault.OutsideOutputDir, $"artifact '{Shorten(path)}' is not under ATLAS_OUTPUT_DIR");
        }
        return Garbage(root, "none of metric, param, tag or artifact");
    }

    private static ParsedLine Labelled(JsonElement root, EntryKind kind, JsonElement nameElement, string what)
    {
        if (Name(nameElement) is not { } name)
        {
            return Garbage(root, $"a {what} needs a name of 1 to 128 printable characters");
        }
        if (!root.TryGetProperty("value", out var value))
        {
            return Garbage(root, $"{what} '{name}' has no value");
        }
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
        if (text is null || text.Length > MaxTextLength)
        {
            return Garbage(root, $"{what} '{name}': the value must be a string, number or boolean of at most {MaxTextLength} characters");
        }
        return ParsedLine.Of(new TrackingEntry(kind, name, 0, text, null));
    }

    /// <summary>A metric, param or tag name: 1 to 128 characters, none of them control characters.</summary>
    public static bool IsName(string? name) =>
        name is { Length: > 0 and <= MaxNameLength } && !name.Any(char.IsControl) && name.Trim().Length == name.Length;

    private static string? Name(JsonElement element) =>
        element.ValueKind == JsonValueKind.String && element.GetString() is var name && IsName(name) ? name : null;

    private static bool TryFinite(JsonElement value, out double number, out LineFault fault)
    {
        number = 0;
        fault = LineFault.Garbage;
        if (value.ValueKind == JsonValueKind.String)
        {
            // "NaN", "inf": a number that is not finite, written as text.
            if (double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && !double.IsFinite(parsed))
            {
                fault = LineFault.NonFinite;
            }
            else if (value.GetString() is { } s && NonFiniteWord().IsMatch(s))
            {
                fault = LineFault.NonFinite;
            }
            return false;
        }
        if (value.ValueKind != JsonValueKind.Number)
        {
            return false;
        }
        if (value.TryGetDouble(out number) && double.IsFinite(number))
        {
            return true;
        }
        fault = LineFault.NonFinite; // 1e999
        return false;
    }

    /// <summary>
    /// The path of an artifact relative to the output folder, or null when it leaves it:
    /// relative paths are taken under it, absolute ones only inside <paramref name="jobOutputDir"/>.
    /// </summary>
    public static string? ArtifactPath(string path, string? jobOutputDir)
    {
        var relative = path;
        if (Path.IsPathRooted(path))
        {
            if (jobOutputDir is null)
            {
                return null;
            }
            var root = Path.TrimEndingDirectorySeparator(jobOutputDir) + "/";
            if (!path.StartsWith(root, StringComparison.Ordinal))
            {
                return null;
            }
            relative = path[root.Length..];
        }
        const string anchor = "/atlas-output";
        var full = Path.GetFullPath(Path.Combine(anchor, relative));
        return full.StartsWith(anchor + "/", StringComparison.Ordinal) && full.Length > anchor.Length + 1 ? full[(anchor.Length + 1)..] : null;
    }

    private static ParsedLine Garbage(JsonElement root, string why) =>
        ParsedLine.Fail(LineFault.Garbage, $"{why}: {Shorten(root.GetRawText())}");

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line)
    {
        while (!line.IsEmpty && (line[^1] is (byte)'\r' or (byte)' ' or (byte)'\t'))
        {
            line = line[..^1];
        }
        while (!line.IsEmpty && (line[0] is (byte)' ' or (byte)'\t'))
        {
            line = line[1..];
        }
        return line;
    }

    private static string Shorten(string text)
    {
        var printable = new string([.. text.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length > 80 ? printable + "…" : printable;
    }

    [GeneratedRegex("""["']value["']\s*:\s*-?(NaN|Infinity|inf)\b""", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex NonFiniteLiteral();

    [GeneratedRegex("""^\s*[+-]?(nan|inf|infinity)\s*$""", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex NonFiniteWord();
}
