using System.Globalization;
using System.Text.RegularExpressions;

namespace Atlas.Core.Jobs;

/// <summary>Parses and prints the sizes and durations users type: <c>8g</c>, <c>512m</c>, <c>2h</c>, <c>90s</c>, <c>1h30m</c>.</summary>
public static partial class Quantities
{
    /// <summary>Bytes from <c>N[k|m|g|t]</c> (powers of 1024, optional trailing <c>b</c>/<c>i</c>/<c>ib</c>); null when it is not one.</summary>
    public static long? ParseBytes(string? text)
    {
        var m = BytesPattern().Match(text?.Trim() ?? "");
        if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
        {
            return null;
        }
        var scale = char.ToLowerInvariant(m.Groups[2].Value.FirstOrDefault()) switch
        {
            'k' => 1L << 10,
            'm' => 1L << 20,
            'g' => 1L << 30,
            't' => 1L << 40,
            _ => 1L,
        };
        var bytes = n * scale;
        return bytes is < 1 or > long.MaxValue / 2 ? null : (long)bytes;
    }

    /// <summary>A duration from <c>2h</c>, <c>45m</c>, <c>90s</c>, <c>1d</c>, <c>1h30m</c> or plain seconds; null when it is not one.</summary>
    public static TimeSpan? ParseDuration(string? text)
    {
        var s = text?.Trim().ToLowerInvariant() ?? "";
        if (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var plain))
        {
            return plain > 0 ? TimeSpan.FromSeconds(plain) : null;
        }
        var m = DurationPattern().Match(s);
        if (!m.Success || s.Length == 0)
        {
            return null;
        }
        var total = TimeSpan.Zero;
        foreach (Capture c in m.Groups[1].Captures)
        {
            var part = c.Value;
            var n = long.Parse(part[..^1], CultureInfo.InvariantCulture);
            total += part[^1] switch
            {
                'd' => TimeSpan.FromDays(n),
                'h' => TimeSpan.FromHours(n),
                'm' => TimeSpan.FromMinutes(n),
                _ => TimeSpan.FromSeconds(n),
            };
        }
        return total > TimeSpan.Zero ? total : null;
    }

    /// <summary>Bytes as users write them: <c>8g</c>, <c>512m</c>, or plain bytes.</summary>
    public static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 40 when bytes % (1L << 40) == 0 => $"{bytes >> 40}t",
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.#", CultureInfo.InvariantCulture) + "g",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.#", CultureInfo.InvariantCulture) + "m",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        _ => bytes.ToString(CultureInfo.InvariantCulture),
    };

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)(?:i?b)?$", RegexOptions.IgnoreCase)]
    private static partial Regex BytesPattern();

    [GeneratedRegex(@"^([0-9]+[dhms])+$")]
    private static partial Regex DurationPattern();
}
