using System.Diagnostics;
using Atlas.Core;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Atlas.Cli.Telemetry;

/// <summary>
/// The CLI's own span, <c>atlas submit</c>: the root of the job's trace. HttpClient sends its
/// W3C <c>traceparent</c> with the submit. Exported over OTLP only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; disposing flushes it, as a short-lived process must.
/// </summary>
internal sealed class CliTracing : IDisposable
{
    private readonly TracerProvider? _provider;

    private CliTracing(TracerProvider? provider, Activity? activity)
    {
        _provider = provider;
        Activity = activity;
    }

    public Activity? Activity { get; }

    public static CliTracing Start(string name, CliContext context)
    {
        TracerProvider? provider = null;
        if (!string.IsNullOrWhiteSpace(context.Environment("OTEL_EXPORTER_OTLP_ENDPOINT")))
        {
            provider = Sdk.CreateTracerProviderBuilder()
                .ConfigureResource(r => r.AddService(context.Environment("OTEL_SERVICE_NAME") ?? "atlas-cli"))
                .AddSource(AtlasTelemetry.ActivitySourceName)
                // HttpClient's own spans: the gateway's request span is their child, so they belong in the trace.
                .AddSource("System.Net.Http")
                .AddOtlpExporter() // endpoint, protocol and headers from OTEL_EXPORTER_OTLP_*
                .Build();
        }
        return new CliTracing(provider, AtlasTelemetry.ActivitySource.StartActivity(name, ActivityKind.Client));
    }

    public void Dispose()
    {
        Activity?.Dispose();
        _provider?.ForceFlush(5000);
        _provider?.Dispose();
    }
}
