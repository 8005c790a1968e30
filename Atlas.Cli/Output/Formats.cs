using System.Globalization;

namespace Atlas.Cli.Output;

/// <summary>How the CLI prints times and durations.</summary>
public static class Formats
{
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
}
