using System.Diagnostics;

namespace Atlas.Core;

/// <summary>The activity source and meter every Atlas service reports under.</summary>
public static class AtlasTelemetry
{
    public const string ActivitySourceName = "Atlas";
    public const string MeterName = "Atlas";

    public static ActivitySource ActivitySource { get; } = new(ActivitySourceName);
}
