using System.Runtime.InteropServices;
using Atlas.AppHost.Model;
using Atlas.AppHost.Options;
using Atlas.Core;
using Atlas.Core.Docker;
using Atlas.Core.Net;

namespace Atlas.AppHost.Orchestration;

/// <summary>
/// <c>run</c>: starts the cluster on this machine in order (Redis, masters, workers, gateway),
/// waits until each is healthy, prints a table, and on Ctrl+C or SIGTERM stops everything it
/// started in reverse order, removes any container the cluster left, and exits 0.
/// </summary>
internal sealed class ClusterRunner(AppHostOptions options, ConsoleWriter console)
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(60);
    private readonly List<(ResourceSpec Spec, ChildProcess Process)> _started = [];
    private readonly CancellationTokenSource _shutdown = new();
    private KeycloakLauncher? _keycloak;
    private bool _stopping;

    public async Task<int> RunAsync()
    {
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        var data = Path.GetFullPath(options.DataDir);
        foreach (var (port, what, flag) in new[] { (options.RedisPort, "redis", "--redis-port"), (options.GatewayPort, "gateway", "--port") })
        {
            if (!LoopbackPorts.IsFree(port))
            {
                console.Info($"error: port {port} is already in use ({what}); stop what uses it or pass {flag}");
                return 1;
            }
        }
        var built = typeof(ClusterRunner).Assembly;
        var missing = new[] { "Atlas.Master", "Atlas.Worker", "Atlas.Gateway" }.Select(p => AtlasBuildInfo.ProjectDll(built, p)).FirstOrDefault(p => !File.Exists(p));
        if (missing is not null)
        {
            console.Info($"error: {missing} is missing; build first: dotnet build");
            return 1;
        }

        using var docker = new DockerClient(DockerEndpoint.Resolve(null));
        var dockerAnswers = await docker.PingAsync(_shutdown.Token);
        var runtime = options.Runtime ?? (dockerAnswers ? "docker" : "process");
        var model = ClusterModel.Build(options, runtime, LoopbackPorts.Next);
        if (model.Resources.FirstOrDefault(r => r.Kind == ResourceKind.Keycloak) is { } keycloakSpec)
        {
            if (!LoopbackPorts.IsFree(keycloakSpec.Port))
            {
                console.Info($"error: port {keycloakSpec.Port} is already in use (keycloak); stop what uses it or pass --keycloak-port");
                return 1;
            }
            _keycloak = new KeycloakLauncher(docker, console);
            if (await _keycloak.CannotStartAsync(dockerAnswers, _shutdown.Token) is { } why)
            {
                console.Info(why);
                return 1;
            }
        }
        var redis = RedisLauncher.Locate(options.RedisPort, Path.Combine(data, "redis"), options.AppendFsync, AtlasBuildInfo.RepoRoot(built), RedisLauncher.FindOnPath, RedisLauncher.RestoreTools);
        if (redis is null)
        {
            console.Info(RedisLauncher.NotFound);
            return 1;
        }
        Directory.CreateDirectory(Path.Combine(data, "redis"));
        Directory.CreateDirectory(model.SharedRoot);
        if (runtime == "docker" && !dockerAnswers)
        {
            console.Info("warning: --runtime docker, but no Docker Engine answers: jobs will fail until one does");
        }
        if (dockerAnswers)
        {
            await RemoveContainersAsync(docker, model, "left by an earlier run");
        }

        try
        {
            if (!await StartAllAsync(model, redis, built))
            {
                await StopAllAsync(docker, model, dockerAnswers);
                return 1;
            }
            PrintTable(model, redis);
            await WatchAsync();
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
        }
        console.Info("stopping the cluster…");
        await StopAllAsync(docker, model, dockerAnswers || await docker.PingAsync(CancellationToken.None));
        console.Info("stopped.");
        return 0;
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // we stop in order ourselves
        _shutdown.Cancel();
    }

    private async Task<bool> StartAllAsync(ClusterModel model, RedisLauncher redis, System.Reflection.Assembly built)
    {
        if (_keycloak is not null && !await StartKeycloakAsync(model, built))
        {
            return false;
        }
        var logs = Path.Combine(model.DataDir, "logs");
        var redisProcess = Start(model.Redis, ChildProcess.Start("redis", redis.FileName, redis.Arguments, model.Redis.Environment, logs, console,
            AtlasBuildInfo.RepoRoot(built)));
        if (!await WaitUntilAsync(redisProcess, () => RedisLauncher.PingAsync(model.Redis.Port, _shutdown.Token)))
        {
            return false;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        foreach (var kind in new[] { ResourceKind.Master, ResourceKind.Worker, ResourceKind.Gateway })
        {
            var group = model.Resources.Where(r => r.Kind == kind)
                .Select(spec => (spec, Start(spec, StartService(spec, AtlasBuildInfo.ProjectDll(built, spec.Project!), logs))))
                .ToList();
            var healthy = await Task.WhenAll(group.Select(g => WaitUntilAsync(g.Item2, () => IsHealthyAsync(http, g.spec))));
            if (healthy.Contains(false))
            {
                return false;
            }
        }
        return true;
    }

    private async Task<bool> StartKeycloakAsync(ClusterModel model, System.Reflection.Assembly built)
    {
        var spec = model.Resources.Single(r => r.Kind == ResourceKind.Keycloak);
        await _keycloak!.StartAsync(model, spec, Path.Combine(AtlasBuildInfo.RepoRoot(built), "keycloak"), _shutdown.Token);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + KeycloakLauncher.StartTimeout;
        while (await _keycloak.ReadyAsync(http, model.Authority!, _shutdown.Token) is var ready && ready != true)
        {
            if (ready is null || DateTime.UtcNow > deadline)
            {
                var why = ready is null ? "stopped" : $"did not serve the realm within {KeycloakLauncher.StartTimeout.TotalSeconds:0} s";
                console.Info($"error: keycloak {why}; see its output with docker logs {model.ClusterId}-keycloak");
                return false;
            }
            await Task.Delay(500, _shutdown.Token);
        }
        return true;
    }

    // A service runs in its build folder, so it finds its appsettings.json (its content root).
    private ChildProcess StartService(ResourceSpec spec, string dll, string logs) =>
        ChildProcess.Start(spec.Name, "dotnet", [dll], spec.Environment, logs, console, Path.GetDirectoryName(dll));

    private ChildProcess Start(ResourceSpec spec, ChildProcess process)
    {
        _started.Add((spec, process));
        return process;
    }

    private async Task<bool> IsHealthyAsync(HttpClient http, ResourceSpec spec)
    {
        try
        {
            using var response = await http.GetAsync(spec.Url + "/health", _shutdown.Token);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!_shutdown.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task<bool> WaitUntilAsync(ChildProcess process, Func<Task<bool>> ready)
    {
        var deadline = DateTime.UtcNow + HealthTimeout;
        while (!await ready())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                var why = process.HasExited ? $"exited with code {process.ExitCode}" : $"was not healthy within {HealthTimeout.TotalSeconds:0} s";
                console.Info($"error: {process.Name} {why}; its last lines:");
                foreach (var line in process.Tail)
                {
                    console.Info("    " + line);
                }
                return false;
            }
            await Task.Delay(100, _shutdown.Token);
        }
        return true;
    }

    // Runs until Ctrl+C; a child that dies meanwhile is reported and the rest keep running.
    private async Task WatchAsync()
    {
        var watching = _started.Select(s => s.Process).ToList();
        var stop = Task.Delay(Timeout.Infinite, _shutdown.Token);
        while (true)
        {
            var ended = await Task.WhenAny(watching.Select(p => p.Exited).Append(stop));
            if (ended == stop)
            {
                await stop; // throws OperationCanceledException
            }
            var child = watching.First(p => p.Exited == ended);
            watching.Remove(child);
            if (!_stopping)
            {
                console.Info($"warning: {child.Name} exited with code {child.ExitCode}; the rest keep running");
            }
        }
    }

    private async Task StopAllAsync(DockerClient docker, ClusterModel model, bool dockerAnswers)
    {
        _stopping = true;
        foreach (var kind in new[] { ResourceKind.Gateway, ResourceKind.Worker, ResourceKind.Master })
        {
            // Workers drain: their jobs get a short grace, then go back to the queue.
            var grace = kind == ResourceKind.Worker ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(15);
            await Task.WhenAll(_started.Where(s => s.Spec.Kind == kind).Select(s => s.Process.StopAsync(grace)));
        }
        if (_keycloak is not null)
        {
            await _keycloak.StopAsync();
        }
        if (dockerAnswers)
        {
            await RemoveContainersAsync(docker, model, "still there after the workers stopped");
        }
        foreach (var (_, process) in _started.Where(s => s.Spec.Kind == ResourceKind.Redis))
        {
            await process.StopAsync(TimeSpan.FromSeconds(15)); // SIGTERM: Redis writes its append-only file
        }
        foreach (var (_, process) in _started)
        {
            await process.DisposeAsync();
        }
        _started.Clear();
    }

    // The safety net: no container of this cluster outlives it.
    private async Task RemoveContainersAsync(DockerClient docker, ClusterModel model, string why)
    {
        try
        {
            var labels = new Dictionary<string, string> { [ContainerLabels.Cluster] = model.ClusterId };
            foreach (var container in await docker.ListContainersAsync(labels, all: true, CancellationToken.None))
            {
                console.Info($"removing container {container.Id[..12]} ({why})");
                await docker.RemoveContainerAsync(container.Id, force: true, CancellationToken.None);
            }
        }
        catch (DockerException ex)
        {
            console.Info($"warning: could not list or remove the cluster's containers: {ex.Message}");
        }
    }

    private void PrintTable(ClusterModel model, RedisLauncher redis)
    {
        console.Info("");
        console.Info($"{"resource",-12} {"state",-9} {"url",-28} pid");
        if (model.Resources.FirstOrDefault(r => r.Kind == ResourceKind.Keycloak) is { } keycloak)
        {
            console.Info($"{keycloak.Name,-12} {"healthy",-9} {keycloak.Url,-28} container {model.ClusterId}-keycloak");
        }
        foreach (var (spec, process) in _started)
        {
            console.Info($"{spec.Name,-12} {"healthy",-9} {spec.Url,-28} {process.Pid}");
        }
        console.Info("");
        console.Info($"gateway:       {model.Gateway.Url}   (atlas CLI: ATLAS_URL={model.Gateway.Url})");
        console.Info($"runtime:       {model.Runtime}");
        console.Info($"redis:         {redis.Description}");
        console.Info($"shared volume: {model.SharedRoot}");
        console.Info($"data:          {model.DataDir}");
        if (model.Authority is null)
        {
            console.Info("auth:          off (single-user mode): anyone who reaches the gateway acts as admin; do not expose it to a network");
        }
        else
        {
            console.Info($"auth:          on, tokens from {model.Authority} (atlas login)");
        }
        console.Info("Ctrl+C stops everything.");
        console.Info("");
    }
}
