using System.Globalization;
using Atlas.Core.Tracking;

namespace Atlas.Cli.Output;

/// <summary>How the CLI prints metric values and summaries.</summary>
public static class Numbers
{
    public static string Value(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    public static string Step(long? step) => step?.ToString(CultureInfo.InvariantCulture) ?? "-";

    /// <summary>A series' last value (and its step), smallest and largest: exact, since downsampling keeps all three.</summary>
    public static MetricSummary? Summarize(MetricSeriesView series) =>
        series.Values.Count == 0 ? null : new MetricSummary(series.Values[^1], series.Values.Min(), series.Values.Max(), series.Steps[^1]);

    /// <summary>A comma-separated list option (<c>--names loss,acc</c>), or null when not given.</summary>
    public static IReadOnlyCollection<string>? List(string? value) =>
        value is null ? null : value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
