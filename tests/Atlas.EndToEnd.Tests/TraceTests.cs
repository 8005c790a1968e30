using System.Text.Json;
using Atlas.Testing;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// Every job is one trace: the real CLI submits to a cluster started through the AppHost, whose
/// services export to its own Aspire dashboard, and the trace read back from that dashboard holds the CLI's, the gateway's, the master's
/// and a worker's spans, each under a parent in the same trace, rooted at the CLI's span.
/// </summary>
public sealed class TraceTests : IDisposable
{
    private readonly TempFolder _home = new("atlas-home");
    private readonly TempFolder _project = new("atlas-project");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _home.Dispose();
        _project.Dispose();
    }

    // The built AppHost as a process: the testing builder turns the Aspire dashboard off.
    private static Task<ClusterProcess> StartClusterAsync() =>
        ClusterProcess.StartAsync(typeof(TraceTests).Assembly, workers: 1, ["--runtime", "process"], cancellationToken: Ct);

    [Fact]
    public async Task Submit_Traced_OneTraceFromCliThroughWorker()
    {
        await using var cluster = await StartClusterAsync();
        using var http = new HttpClient();
        File.WriteAllText(_project.Combine("run.sh"), "echo traced\n");
        var cli = new AtlasCli(cluster.GatewayUrl, _home.Path, new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = cluster.OtlpEndpoint });

        var submit = await cli.RunAsync("submit", "--wait", _project.Path, "--", "sh", "run.sh");
        submit.ExitCode.ShouldBe(0, submit.Stderr);
        var id = submit.Stdout.Split('\n')[0].Trim();
        var status = await cli.RunAsync("--output", "json", "status", id);
        var traceId = JsonDocument.Parse(status.Stdout).RootElement.GetProperty("traceId").GetString()!;

        var wanted = new[] { "atlas submit", "job.submit", "job.place", "job.claim", "job.start", "job.run", "job.complete" };
        List<Span> spans = [];
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var trace = await DashboardTraces.GetAsync(http, cluster.DashboardUrl, traceId, Ct);
            spans = trace is null ? [] : Spans(trace.RootElement);
            if (wanted.All(w => spans.Any(s => s.Name == w)) && spans.Any(s => s.Service == "gateway"))
            {
                break;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The trace {traceId} lacks spans; it has: {string.Join(", ", spans.Select(s => $"{s.Service}/{s.Name}"))}\n{cluster.Output}");
            }
            await Task.Delay(500, Ct);
        }

        var root = spans.Where(s => string.IsNullOrEmpty(s.ParentId)).ShouldHaveSingleItem();
        root.Name.ShouldBe("atlas submit");
        foreach (var span in spans.Where(s => !string.IsNullOrEmpty(s.ParentId)))
        {
            spans.ShouldContain(p => p.Id == span.ParentId, $"{span.Service}/{span.Name} has its parent in the trace");
        }
        spans.Select(s => s.Service).Distinct().ShouldBe(["atlas-cli", "gateway", "master", "worker-1"], ignoreOrder: true);
    }

    private sealed record Span(string Service, string Name, string Id, string? ParentId);

    // The dashboard's answer: { data: OTLP JSON }, resourceSpans[] { resource.attributes[service.name], scopeSpans[].spans[] }.
    private static List<Span> Spans(JsonElement root)
    {
        var spans = new List<Span>();
        foreach (var resource in root.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
        {
            var service = resource.GetProperty("resource").GetProperty("attributes").EnumerateArray()
                .First(a => a.GetProperty("key").GetString() == "service.name").GetProperty("value").GetProperty("stringValue").GetString()!;
            foreach (var scope in resource.GetProperty("scopeSpans").EnumerateArray())
            {
                foreach (var span in scope.GetProperty("spans").EnumerateArray())
                {
                    spans.Add(new Span(service, span.GetProperty("name").GetString()!, span.GetProperty("spanId").GetString()!,
                        span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() : null));
                }
            }
        }
        return spans;
    }
}
