using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using Atlas.Core;
using Atlas.Core.Net;
using Atlas.Core.Posix;
using Atlas.Core.Storage;

namespace Atlas.Testing;

/// <summary>
/// The whole cluster as a user starts it: the built AppHost as a child process, on free ports and
/// a temp data folder. Used by the end-to-end tests and the benchmark.
/// </summary>
public sealed class ClusterProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly int _redisPort;

    private ClusterProcess(Process process, string data, int gatewayPort, int redisPort, int atlasDashboardPort)
    {
        _process = process;
        DataDir = data;
        GatewayUrl = $"http://127.0.0.1:{gatewayPort}";
        AtlasDashboardUrl = $"http://127.0.0.1:{atlasDashboardPort}";
        _redisPort = redisPort;
    }

    public string DataDir { get; }

    public string SharedRoot => Path.Combine(DataDir, "shared");

    public string GatewayUrl { get; }

    /// <summary>The Atlas dashboard, the team's web UI (not the Aspire dashboard).</summary>
    public string AtlasDashboardUrl { get; }

    /// <summary>
    /// The Aspire dashboard of this run (its UI and its HTTP API, <c>/api/telemetry/traces/{id}</c>,
    /// unauthenticated: the AppHost runs it with anonymous access in single-user mode).
    /// </summary>
    public string DashboardUrl => _process.StartInfo.Environment["ASPNETCORE_URLS"]!;

    /// <summary>The dashboard's OTLP/gRPC endpoint, where every service of this run exports.</summary>
    public string OtlpEndpoint => _process.StartInfo.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"]!;

    /// <summary>The cluster's Redis, with the password the AppHost generated into its data folder (read once it runs).</summary>
    public string RedisConnectionString =>
        $"127.0.0.1:{_redisPort}" + (LocalRedisPassword.Read(DataDir) is { } password ? ",password=" + password : "");

    /// <summary>Everything the AppHost printed so far (its own lines and its children's, prefixed).</summary>
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

    /// <summary>
    /// Starts the AppHost with <paramref name="arguments"/> plus its own data folder and ports, and
    /// waits until the AppHost has printed that every resource is healthy and the gateway lists <paramref name="workers"/> ready nodes.
    /// For tests that signal or kill the AppHost itself; the others start it in-process (AppHostCluster).
    /// </summary>
    public static async Task<ClusterProcess> StartAsync(
        Assembly built, int workers, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null,
        string? dataDir = null, CancellationToken cancellationToken = default)
    {
        var data = dataDir ?? Directory.CreateTempSubdirectory("atlas-cluster-").FullName;
        var gatewayPort = LoopbackPorts.Next();
        var redisPort = LoopbackPorts.Next();
        var atlasDashboardPort = LoopbackPorts.Next();
        var info = AppHostStartInfo(built);
        info.RedirectStandardInput = true;
        foreach (var argument in arguments.Concat(["--workers", workers.ToString(CultureInfo.InvariantCulture), "--data", data,
            "--port", gatewayPort.ToString(CultureInfo.InvariantCulture), "--redis-port", redisPort.ToString(CultureInfo.InvariantCulture),
            "--dashboard-port", atlasDashboardPort.ToString(CultureInfo.InvariantCulture)]))
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("The AppHost did not start.");
        var cluster = new ClusterProcess(process, data, gatewayPort, redisPort, atlasDashboardPort);
        process.OutputDataReceived += (_, e) => cluster.Append(e.Data);
        process.ErrorDataReceived += (_, e) => cluster.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = new Uri(cluster.GatewayUrl), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The AppHost exited with code {process.ExitCode} before the cluster was up:\n{cluster.Output}");
            }
            if (await GatewayNodes.CountReadyAsync(http, cancellationToken) >= workers && cluster.Output.Contains("Ctrl+C stops everything.", StringComparison.Ordinal))
            {
                return cluster;
            }
            if (DateTime.UtcNow > deadline)
            {
                await cluster.DisposeAsync();
                throw new TimeoutException($"The cluster was not ready within 120 s:\n{cluster.Output}");
            }
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>
    /// The built AppHost binary (not <c>dotnet run</c>, whose wrapper does not pass signals on), with
    /// the variables of its launch profile, the dashboard and DCP's resource service on free ports.
    /// </summary>
    public static ProcessStartInfo AppHostStartInfo(Assembly built)
    {
        var binary = Path.ChangeExtension(AtlasBuildInfo.ProjectDll(built, "Atlas.AppHost"), null);
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.Combine(AtlasBuildInfo.RepoRoot(built), "Atlas.AppHost"),
        };
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment["ASPNETCORE_URLS"] = $"http://localhost:{LoopbackPorts.Next()}";
        info.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://localhost:{LoopbackPorts.Next()}";
        info.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://localhost:{LoopbackPorts.Next()}";
        info.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        info.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        return info;
    }

    /// <summary>Stops the cluster as Ctrl+C does (SIGINT) and returns the AppHost's exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout) => await StopAsync(timeout, "SIGINT");

    /// <summary>Stops the cluster with <paramref name="signal"/> (<c>SIGINT</c> or <c>SIGTERM</c>) and returns the AppHost's exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout, string signal)
    {
        if (!_process.HasExited)
        {
            if (signal == "SIGTERM")
            {
                Signals.Terminate(_process.Id);
            }
            else
            {
                Signals.Interrupt(_process.Id);
            }
            using var wait = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
                throw new TimeoutException($"The AppHost did not stop within {timeout}:\n{Output}");
            }
        }
        return _process.ExitCode;
    }

    /// <summary>Processes still alive that name this cluster's data folder (services, Redis, jobs).</summary>
    public IReadOnlyList<string> ProcessesLeft() => LeftoverProcesses.Find(DataDir);

    /// <summary>
    /// The process id of the service DCP started as <paramref name="name"/> (<c>worker-1</c>,
    /// <c>master</c>): the one whose environment names that service and this cluster's OTLP endpoint.
    /// </summary>
    public int Pid(string name)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                var variables = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                if (variables.Contains($"OTEL_SERVICE_NAME={name}") && variables.Contains($"OTEL_EXPORTER_OTLP_ENDPOINT={OtlpEndpoint}"))
                {
                    return pid;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // gone meanwhile, or not ours to read
            }
        }
        throw new InvalidOperationException($"No process of this cluster is {name}.");
    }

    public async ValueTask DisposeAsync() => await DisposeAsync(keepData: false);

    /// <summary>Stops the cluster; with <paramref name="keepData"/> its data folder stays for a second run.</summary>
    public async ValueTask DisposeAsync(bool keepData)
    {
        if (!_process.HasExited)
        {
            try
            {
                await StopAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
            }
        }
        _process.Dispose();
        if (keepData)
        {
            return;
        }
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
