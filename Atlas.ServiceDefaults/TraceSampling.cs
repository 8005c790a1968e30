using System.Globalization;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Which traces the services record. <c>Atlas:Telemetry:TraceRatio</c> (0 to 1, default 1: every
/// job is one trace) keeps that share of traces, chosen by trace id, so every service makes the
/// same choice for one job's trace whichever started it: the CLI, the gateway or the master. Spans
/// inside a trace follow their parent; lone outgoing calls never start one
/// (<see cref="RootClientSpanSampler"/>). A busy cluster lowers the ratio to spend less on export.
/// </summary>
public static class TraceSampling
{
    public const string RatioKey = "Atlas:Telemetry:TraceRatio";

    public static Sampler For(IConfiguration configuration)
    {
        var text = configuration[RatioKey];
        var ratio = 1.0;
        if (!string.IsNullOrWhiteSpace(text) &&
            (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out ratio) || ratio is < 0 or > 1 || double.IsNaN(ratio)))
        {
            throw new InvalidOperationException($"{RatioKey} (Atlas__Telemetry__TraceRatio) must be a number from 0 to 1, not '{text}'.");
        }
        var byTraceId = new TraceIdRatioBasedSampler(ratio);
        return new ParentBasedSampler(new RootClientSpanSampler(byTraceId), remoteParentSampled: byTraceId);
    }
}
