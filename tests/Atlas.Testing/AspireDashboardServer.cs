using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Atlas.Core.Net;

namespace Atlas.Testing;

/// <summary>
/// The real Aspire dashboard, run standalone (Aspire.Dashboard.Sdk.linux-x64) on free loopback
/// ports as an OTLP/HTTP receiver, unsecured for the test: services export to
/// <see cref="OtlpEndpoint"/>, the test reads a trace back through its telemetry API.
/// </summary>
public sealed class AspireDashboardServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http;

    private AspireDashboardServer(Process process, int uiPort, int otlpPort)
    {
        _process = process;
        OtlpEndpoint = $"http://127.0.0.1:{otlpPort}";
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{uiPort}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Where senders point <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (protocol <c>http/protobuf</c>).</summary>
    public string OtlpEndpoint { get; }

    /// <summary>The variables a process needs to export here.</summary>
    public IReadOnlyDictionary<string, string> ExporterEnvironment => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = OtlpEndpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
    };

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<AspireDashboardServer> StartAsync(CancellationToken cancellationToken)
    {
        var path = typeof(AspireDashboardServer).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "AspireDashboardPath").Value!;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The Aspire dashboard is not at {path}; restore tests/Atlas.Testing.", path);
        }
        var uiPort = LoopbackPorts.Next();
        var otlpPort = LoopbackPorts.Next();
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(path)!,
        };
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{uiPort}";
        info.Environment["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{otlpPort}";
        info.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        info.Environment["Dashboard__Frontend__AuthMode"] = "Unsecured";
        info.Environment["Dashboard__Otlp__AuthMode"] = "Unsecured";
        info.Environment["Dashboard__Api__AuthMode"] = "Unsecured";
        info.Environment["Dashboard__Api__Enabled"] = "true";
        var process = Process.Start(info) ?? throw new InvalidOperationException("The Aspire dashboard did not start.");
        var server = new AspireDashboardServer(process, uiPort, otlpPort);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The Aspire dashboard exited with code {process.ExitCode}:\n{server.Output}");
            }
            try
            {
                using var response = await server._http.GetAsync("/", cancellationToken);
                if ((int)response.StatusCode < 500)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new TimeoutException($"The Aspire dashboard was not up within 60 s:\n{server.Output}");
            }
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>The trace as the dashboard's API returns it (OTLP JSON), or null while it has none by that id.</summary>
    public async Task<JsonDocument?> GetTraceAsync(string traceId, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"/api/telemetry/traces/{Uri.EscapeDataString(traceId)}", cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
