using System.Globalization;
using Atlas.Core;
using Atlas.Core.Storage;

namespace Atlas.Worker.Execution;

/// <summary>
/// The variables that let a job's own code join the job's trace, for either runtime:
/// <c>TRACEPARENT</c> (the <c>job.run</c> span's context, or the job's stored one when this worker
/// traces nothing) and, when this worker exports telemetry (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>),
/// the <c>OTEL_*</c> settings an OpenTelemetry SDK reads. A variable the job's spec sets wins.
/// </summary>
internal sealed class JobTelemetryEnvironment(IConfiguration configuration)
{
    private const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    // Read once: the worker's exporter settings do not change while it runs.
    private readonly KeyValuePair<string, string>[] _exporter = ReadExporter(configuration);

    public void AddTo(Dictionary<string, string> env, JobRecord job, string node, string? runTraceParent)
    {
        if ((runTraceParent ?? job.TraceParent) is { } traceParent)
        {
            env.TryAdd("TRACEPARENT", traceParent);
        }
        if (_exporter.Length == 0)
        {
            return;
        }
        foreach (var (name, value) in _exporter)
        {
            env.TryAdd(name, value);
        }
        env.TryAdd("OTEL_SERVICE_NAME", job.View.Name ?? "atlas-job");
        env.TryAdd("OTEL_RESOURCE_ATTRIBUTES", string.Create(CultureInfo.InvariantCulture,
            $"{AtlasTelemetry.JobIdTag}={Uri.EscapeDataString(job.View.Id)},{AtlasTelemetry.AttemptTag}={job.View.Attempt},{AtlasTelemetry.NodeTag}={Uri.EscapeDataString(node)}"));
    }

    private static KeyValuePair<string, string>[] ReadExporter(IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration[EndpointVariable]))
        {
            return [];
        }
        return [.. new[] { EndpointVariable, "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS" }
            .Where(name => !string.IsNullOrWhiteSpace(configuration[name]))
            .Select(name => KeyValuePair.Create(name, configuration[name]!))];
    }
}
