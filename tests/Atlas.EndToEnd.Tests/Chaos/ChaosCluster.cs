using System.Diagnostics;
using Atlas.AppHost.Model;
using Atlas.AppHost.Options;
using Atlas.AppHost.Orchestration;
using Atlas.Core;
using Atlas.Core.Net;
using Atlas.Core.Posix;
using Atlas.Testing;

namespace Atlas.EndToEnd.Tests.Chaos;

/// <summary>
/// The cluster the AppHost would start (same model, same wiring), but with every process held
/// here, so a test can SIGKILL any one of them and start it again under the same name, port and
/// data: Redis included, restarted on its port and append-only file. Process runtime only.
/// </summary>
public sealed class ChaosCluster : IAsyncDisposable
{
    private readonly ClusterModel _model;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly Dictionary<string, Process> _processes = new(StringComparer.Ordinal);
    private readonly string _redisExe;

    private ChaosCluster(ClusterModel model, IReadOnlyDictionary<string, string> settings, string redisExe)
    {
        _model = model;
        _settings = settings;
        _redisExe = redisExe;
    }

    public string DataDir => _model.DataDir;

    public string SharedRoot => _model.SharedRoot;

    public string ClusterId => _model.ClusterId;

    public string GatewayUrl => _model.Gateway.Url;

    public string RedisConnectionString => _model.Redis.Url + ",allowAdmin=true";

    public IReadOnlyList<string> Masters => [.. _model.Resources.Where(r => r.Kind == ResourceKind.Master).Select(r => r.Name)];

    public IReadOnlyList<string> Workers => [.. _model.Resources.Where(r => r.Kind == ResourceKind.Worker).Select(r => r.Name)];

    /// <summary>
    /// Starts Redis (append-only, <c>appendfsync always</c>), the masters, the workers and the
    /// gateway, with <paramref name="settings"/> added to every service's environment, and waits
    /// until the gateway lists every worker ready.
    /// </summary>
    public static async Task<ChaosCluster> StartAsync(int masters, int workers, int slots, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var redisExe = RedisServer.FindOnPath("redis-server") ?? throw TestEnvironment.Missing("redis-server");
        var data = Directory.CreateTempSubdirectory("atlas-chaos-").FullName;
        var options = new AppHostOptions
        {
            Masters = masters, Workers = workers, Slots = slots, Runtime = "process", DataDir = data,
            GatewayPort = LoopbackPorts.Next(), RedisPort = LoopbackPorts.Next(), DashboardPort = LoopbackPorts.Next(), AppendFsync = "always",
        };
        var cluster = new ChaosCluster(ClusterModel.Build(options, "process", LoopbackPorts.Next), settings, redisExe);
        Directory.CreateDirectory(cluster.SharedRoot);
        try
        {
            foreach (var spec in cluster._model.Resources)
            {
                await cluster.StartAsync(spec.Name, cancellationToken);
            }
            using var http = new HttpClient { BaseAddress = new Uri(cluster.GatewayUrl), Timeout = TimeSpan.FromSeconds(5) };
            await WaitAsync(async () => (await http.GetStringAsync("/api/v1/nodes", cancellationToken)).Split("\"ready\"").Length - 1 >= workers,
                "every worker ready", cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The process id of <paramref name="name"/>, or null when it is not running.</summary>
    public int? Pid(string name) => _processes.TryGetValue(name, out var p) && !p.HasExited ? p.Id : null;

    /// <summary>SIGKILL: no drain, no goodbye, as a crash or an OOM kill.</summary>
    public void Kill(string name)
    {
        if (_processes.Remove(name, out var process))
        {
            if (!process.HasExited)
            {
                Signals.Kill(process.Id);
                process.WaitForExit(10_000);
            }
            process.Dispose();
        }
    }

    /// <summary>Starts <paramref name="name"/> (again) with its port, data and settings, and waits until it is healthy.</summary>
    public async Task StartAsync(string name, CancellationToken cancellationToken)
    {
        var spec = _model.Resources.Single(r => r.Name == name);
        var logs = Path.Combine(DataDir, "logs");
        Directory.CreateDirectory(logs);
        ProcessStartInfo info;
        if (spec.Kind == ResourceKind.Redis)
        {
            var dir = Path.Combine(DataDir, "redis");
            Directory.CreateDirectory(dir);
            // As the AppHost starts it (append-only file on), with every write fsynced.
            var redis = RedisLauncher.Locate(spec.Port, dir, "always", DataDir, _ => _redisExe, _ => false)!;
            info = new ProcessStartInfo(redis.FileName);
            foreach (var argument in redis.Arguments)
            {
                info.ArgumentList.Add(argument);
            }
        }
        else
        {
            var dll = AtlasBuildInfo.ProjectDll(typeof(ChaosCluster).Assembly, spec.Project!);
            info = new ProcessStartInfo("dotnet") { ArgumentList = { dll }, WorkingDirectory = Path.GetDirectoryName(dll)! };
            foreach (var (key, value) in spec.Environment.Concat(_settings))
            {
                info.Environment[key] = value;
            }
        }
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        var log = new StreamWriter(Path.Combine(logs, name + ".log"), append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Exited += (_, _) => Write(log, null);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes[name] = process;

        if (spec.Kind == ResourceKind.Redis)
        {
            await WaitAsync(() => Task.FromResult(RedisAnswers(spec.Port)), $"{name} answering", cancellationToken, process);
        }
        else
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await WaitAsync(async () => (await http.GetAsync(spec.Url + "/health", cancellationToken)).IsSuccessStatusCode, $"{name} healthy", cancellationToken, process);
        }
    }

    /// <summary>The last lines <paramref name="name"/> wrote, over all its lives, for a failure message.</summary>
    public string Tail(string name, int lines = 40)
    {
        var file = Path.Combine(DataDir, "logs", name + ".log");
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return $"--- {name} ---\n" + string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return $"--- {name}: no log ---";
        }
    }

    /// <summary>Stops the services in reverse order as the AppHost does (SIGTERM, then SIGKILL after a grace), Redis last.</summary>
    public async Task StopAsync()
    {
        foreach (var kind in new[] { ResourceKind.Dashboard, ResourceKind.Gateway, ResourceKind.Worker, ResourceKind.Master, ResourceKind.Redis })
        {
            var group = _model.Resources.Where(r => r.Kind == kind && _processes.ContainsKey(r.Name)).Select(r => _processes[r.Name]).ToList();
            foreach (var process in group.Where(p => !p.HasExited))
            {
                Signals.Terminate(process.Id);
            }
            await Task.WhenAll(group.Select(async p =>
            {
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    await p.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    p.Kill(entireProcessTree: true);
                }
            }));
        }
        foreach (var process in _processes.Values)
        {
            process.Dispose();
        }
        _processes.Clear();
    }

    /// <summary>
    /// Processes still alive that belong to this cluster: their command line or environment
    /// names its data folder (services and Redis by their settings, jobs by ATLAS_OUTPUT_DIR).
    /// </summary>
    public IReadOnlyList<string> ProcessesLeft() => LeftoverProcesses.Find(DataDir, "ASPNETCORE_URLS=" + GatewayUrl);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        lock (log)
        {
            try
            {
                if (line is null)
                {
                    log.WriteLine($"--- exited at {DateTime.UtcNow:HH:mm:ss.fff} ---");
                }
                else
                {
                    log.WriteLine(line);
                }
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static bool RedisAnswers(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect("127.0.0.1", port);
            var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            var read = stream.Read(buffer);
            // A Redis still loading its append-only file answers -LOADING: not ready yet.
            return read > 0 && buffer[0] == (byte)'+';
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
        {
            return false;
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> ready, string what, CancellationToken cancellationToken, Process? process = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if (await ready())
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }
            if (process is { HasExited: true })
            {
                throw new InvalidOperationException($"Waiting for {what}: the process exited with code {process.ExitCode}.");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waiting for {what}: not within 60 s.");
            }
            await Task.Delay(100, cancellationToken);
        }
    }
}
