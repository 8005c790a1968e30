using System.Diagnostics;
using System.Net.Sockets;
using System.Reflection;

namespace Atlas.Bench;

/// <summary>
/// The cluster under test: the AppHost started as a child process with the process runtime, on
/// free ports and a temp data folder, stopped (SIGINT, as Ctrl+C) at the end.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private readonly Process _appHost;
    private readonly string _data;

    private BenchCluster(Process appHost, string data, HttpClient client)
    {
        _appHost = appHost;
        _data = data;
        Client = client;
    }

    public HttpClient Client { get; }

    public static async Task<BenchCluster> StartAsync(BenchSettings settings)
    {
        var meta = typeof(BenchCluster).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        var dll = Path.Combine(meta["AtlasRepoRoot"]!, "Atlas.AppHost", "bin", meta["AtlasConfiguration"]!, "net10.0", "Atlas.AppHost.dll");
        var data = Directory.CreateTempSubdirectory("atlas-bench-").FullName;
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                dll, "--runtime", "process", "--workers", settings.Workers.ToString(), "--slots", settings.Slots.ToString(),
                "--data", data, "--port", port.ToString(), "--redis-port", FreePort().ToString(),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("The AppHost did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The AppHost exited with code {process.ExitCode} before the cluster was up.");
            }
            try
            {
                using var nodes = await client.GetAsync("/api/v1/nodes");
                if (nodes.IsSuccessStatusCode && (await nodes.Content.ReadAsStringAsync()).Split("\"ready\"").Length - 1 >= settings.Workers)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The cluster was not ready within 120 s.");
            }
            await Task.Delay(200);
        }
        return new BenchCluster(process, data, client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_appHost.HasExited)
        {
            Interop.Interrupt(_appHost.Id);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _appHost.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _appHost.Kill(entireProcessTree: true);
            }
        }
        _appHost.Dispose();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        return ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
    }
}
