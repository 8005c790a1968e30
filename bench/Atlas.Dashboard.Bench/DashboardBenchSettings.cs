using System.Globalization;

namespace Atlas.Dashboard.Bench;

/// <summary>The bench's flags.</summary>
public sealed record DashboardBenchSettings(int Jobs, int Queries, int Paints, string? ScreenshotDir)
{
    public static DashboardBenchSettings Parse(string[] args)
    {
        var s = new DashboardBenchSettings(100_000, 100, 10, null);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            s = args[i] switch
            {
                "--jobs" => s with { Jobs = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--queries" => s with { Queries = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--paints" => s with { Paints = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--screenshots" => s with { ScreenshotDir = Path.GetFullPath(args[i + 1]) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return s;
    }
}
