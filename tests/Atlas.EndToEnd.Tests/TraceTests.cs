using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Posix;
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
        var spans = await WaitForSpansAsync(http, cluster, traceId,
            found => wanted.All(w => found.Any(s => s.Name == w)) && found.Any(s => s.Service == "gateway") && Connected(found));

        var root = spans.Where(s => string.IsNullOrEmpty(s.ParentId)).ShouldHaveSingleItem();
        root.Name.ShouldBe("atlas submit");
        foreach (var span in spans.Where(s => !string.IsNullOrEmpty(s.ParentId)))
        {
            spans.ShouldContain(p => p.Id == span.ParentId, $"{span.Service}/{span.Name} has its parent in the trace");
        }
        spans.Select(s => s.Service).Distinct().ShouldBe(["atlas-cli", "gateway", "master", "worker-1"], ignoreOrder: true);
    }

    [Fact]
    public async Task WorkerKilledMidJob_RequeuedAttemptJoinsTheSameTrace()
    {
        await using var cluster = await ClusterProcess.StartAsync(typeof(TraceTests).Assembly, workers: 2, ["--runtime", "process"],
            FastLeases, cancellationToken: Ct);
        using var http = new HttpClient();
        // The first attempt waits to be killed with its node; the second one ends at once.
        File.WriteAllText(_project.Combine("run.sh"), "if [ \"$ATLAS_ATTEMPT\" = 1 ]; then sleep 120; fi\necho attempt $ATLAS_ATTEMPT\n");
        var cli = new AtlasCli(cluster.GatewayUrl, _home.Path, new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = cluster.OtlpEndpoint });
        var submit = await cli.RunAsync("submit", _project.Path, "--", "sh", "run.sh");
        submit.ExitCode.ShouldBe(0, submit.Stderr);
        var id = submit.Stdout.Split('\n')[0].Trim();
        using var gateway = new HttpClient { BaseAddress = new Uri(cluster.GatewayUrl) };
        var running = await GatewayJobs.WaitForAsync(gateway, id, j => j.State == JobState.Running, TimeSpan.FromSeconds(60), Ct);
        // A killed process's unexported spans die with it: kill it once its claim has reached the dashboard.
        await WaitForSpansAsync(http, cluster, running.TraceId!, found => found.Any(s => s.Name == "job.claim"));

        Signals.Kill(cluster.Pid(running.Node!)).ShouldBeTrue();
        var ended = await GatewayJobs.WaitEndedAsync(gateway, id, TimeSpan.FromSeconds(90), Ct);

        ended.State.ShouldBe(JobState.Succeeded, cluster.Output);
        ended.Attempt.ShouldBe(2);
        ended.Node.ShouldNotBe(running.Node);
        var spans = await WaitForSpansAsync(http, cluster, ended.TraceId!,
            found => found.Count(s => s.Name == "job.claim") >= 2 && found.Count(s => s.Name == "job.place") >= 2 && found.Any(s => s.Name == "job.complete"));
        var claims = spans.Where(s => s.Name == "job.claim").ToList();
        claims.Select(c => c.Attributes[AtlasTelemetry.AttemptTag]).ShouldBe(["1", "2"], ignoreOrder: true);
        claims.Select(c => c.Service).Distinct().Count().ShouldBe(2); // one attempt on each node
        spans.Where(s => s.Name == "job.place").Select(p => p.Attributes[AtlasTelemetry.AttemptTag]).ShouldBe(["1", "2"], ignoreOrder: true);
        spans.Where(s => string.IsNullOrEmpty(s.ParentId)).ShouldHaveSingleItem().Name.ShouldBe("atlas submit");
    }

    // Leases short enough that a killed node's job is requeued within seconds.
    private static readonly Dictionary<string, string> FastLeases = new()
    {
        ["Atlas__Worker__HeartbeatSeconds"] = "1",
        ["Atlas__LeaseSeconds"] = "3",
        ["Atlas__Master__ReapIntervalSeconds"] = "0.5",
    };

    // Each service exports on its own schedule, so a span can arrive before its parent: the trace
    // is read until every parent has arrived too.
    private static bool Connected(List<Span> spans) =>
        spans.All(s => string.IsNullOrEmpty(s.ParentId) || spans.Any(p => p.Id == s.ParentId));

    private static async Task<List<Span>> WaitForSpansAsync(HttpClient http, ClusterProcess cluster, string traceId, Func<List<Span>, bool> complete)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var trace = await DashboardTraces.GetAsync(http, cluster.DashboardUrl, traceId, Ct);
            var spans = trace is null ? [] : Spans(trace.RootElement);
            if (complete(spans))
            {
                return spans;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The trace {traceId} lacks spans; it has: {string.Join(", ", spans.Select(s => $"{s.Service}/{s.Name}"))}\n{cluster.Output}");
            }
            await Task.Delay(500, Ct);
        }
    }

    private sealed record Span(string Service, string Name, string Id, string? ParentId, IReadOnlyDictionary<string, string> Attributes);

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
                    var attributes = span.TryGetProperty("attributes", out var list)
                        ? list.EnumerateArray().ToDictionary(a => a.GetProperty("key").GetString()!, a => AttributeText(a.GetProperty("value")))
                        : [];
                    spans.Add(new Span(service, span.GetProperty("name").GetString()!, span.GetProperty("spanId").GetString()!,
                        span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() : null, attributes));
                }
            }
        }
        return spans;
    }

    // An OTLP JSON AnyValue as text: { "stringValue": "x" } or { "intValue": "2" }.
    private static string AttributeText(JsonElement value) =>
        value.EnumerateObject().FirstOrDefault() is { Value: var v } && v.ValueKind != JsonValueKind.Undefined
            ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()
            : "";
}
