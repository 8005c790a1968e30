using System.Globalization;
using System.Net.Http.Headers;
using Atlas.AppHost;
using Atlas.AppHost.Model;
using Atlas.Core.Net;
using Atlas.Testing;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Atlas.EndToEnd.Tests;

/// <summary>
/// The whole cluster started from the AppHost's app model with Aspire.Hosting.Testing, inside the
/// test process: free ports, a temp data folder, every resource healthy and the workers ready.
/// Tests that must signal the AppHost itself use <see cref="ClusterProcess"/> instead.
/// </summary>
public sealed class AppHostCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(120);

    private readonly DistributedApplication _app;
    private readonly StringWriter _banner;
    private readonly TextWriter _console;
    private readonly TempFolder _data;
    private readonly ClusterModel _model;

    private AppHostCluster(DistributedApplication app, StringWriter banner, TempFolder data, string gatewayUrl, string redis)
    {
        _app = app;
        _banner = banner;
        _console = app.Services.GetRequiredService<TextWriter>();
        _data = data;
        _model = app.Services.GetRequiredService<ClusterModel>();
        GatewayUrl = gatewayUrl;
        RedisConnectionString = redis;
    }

    public string DataDir => _model.DataDir;

    public string SharedRoot => _model.SharedRoot;

    public string GatewayUrl { get; }

    /// <summary>The Atlas dashboard (the web UI).</summary>
    public string DashboardUrl => _model.Dashboard.Url;

    public string RedisConnectionString { get; }

    /// <summary>
    /// What the AppHost printed (its banner) and everything logged so far, the resources' lines
    /// included, one line each prefixed with the logger's category.
    /// </summary>
    public string Output => Banner + "\n" + string.Join('\n', _app.Services.GetFakeLogCollector().GetSnapshot().Select(r => $"{r.Category}: {r.Message}"));

    // The synchronized writer locks on itself while writing.
    private string Banner
    {
        get
        {
            lock (_console)
            {
                return _banner.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the AppHost's model with <paramref name="arguments"/> plus its own data folder and ports,
    /// <paramref name="settings"/> added to the AppHost's configuration (<c>Atlas:...</c> keys reach the
    /// services), and waits until every resource is healthy and the gateway lists <paramref name="workers"/>
    /// ready nodes (asking with a token from <paramref name="bearerToken"/> when the cluster runs with auth).
    /// </summary>
    public static async Task<AppHostCluster> StartAsync(
        int workers, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? settings = null,
        Func<CancellationToken, Task<string>>? bearerToken = null, CancellationToken cancellationToken = default)
    {
        var data = new TempFolder("atlas-cluster");
        string[] args = [.. arguments, "--workers", workers.ToString(CultureInfo.InvariantCulture), "--data", data.Path,
            "--port", LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture), "--redis-port", LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture),
            "--dashboard-port", LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture)];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Atlas_AppHost>(args, cancellationToken);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.Configuration[key] = value;
        }
        // The banner the AppHost prints to its console goes to Output here (the later registration wins).
        var banner = new StringWriter(CultureInfo.InvariantCulture);
        builder.Services.AddLogging(logging => logging.AddFakeLogging()).AddSingleton(TextWriter.Synchronized(banner));
        var app = await builder.BuildAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StartLimit);
        AppHostCluster? cluster = null;
        try
        {
            await app.StartAsync(limit.Token);
            var model = app.Services.GetRequiredService<ClusterModel>();
            await Task.WhenAll(model.Resources.Select(r => app.ResourceNotifications.WaitForResourceHealthyAsync(r.Name, limit.Token)));
            var gateway = app.GetEndpoint(model.Gateway.Name, "http").ToString().TrimEnd('/');
            var redis = await app.GetConnectionStringAsync(model.Redis.Name, limit.Token)
                ?? throw new InvalidOperationException("Redis has no connection string.");
            cluster = new AppHostCluster(app, banner, data, gateway, redis);
            using var http = new HttpClient { BaseAddress = new Uri(gateway), Timeout = TimeSpan.FromSeconds(5) };
            while (true)
            {
                if (bearerToken is not null)
                {
                    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await bearerToken(limit.Token));
                }
                if (await GatewayNodes.CountReadyAsync(http, limit.Token) >= workers)
                {
                    return cluster;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200), limit.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var output = cluster?.Output ?? "";
            await DisposeAsync(app, data, stop: false);
            throw new TimeoutException($"The cluster was not ready within {StartLimit}:\n{output}");
        }
        catch
        {
            await DisposeAsync(app, data, stop: false);
            throw;
        }
    }

    /// <summary>The process id DCP started for the resource named <paramref name="name"/>.</summary>
    public int Pid(string name) =>
        _app.Services.GetRequiredService<ResourceProcesses>().PidOf(name) ?? throw new InvalidOperationException($"{name} has no process.");

    /// <summary>Processes still alive that name this cluster's data folder (services, Redis, jobs).</summary>
    public IReadOnlyList<string> ProcessesLeft() => LeftoverProcesses.Find(DataDir);

    public async ValueTask DisposeAsync() => await DisposeAsync(_app, _data, stop: true);

    // Stops the app, then does what the AppHost's Program does after a run, and deletes the data folder.
    private static async Task DisposeAsync(DistributedApplication app, TempFolder data, bool stop)
    {
        var cleanup = app.Services.GetRequiredService<ClusterCleanup>();
        try
        {
            if (stop)
            {
                await app.StopAsync();
            }
        }
        finally
        {
            await app.DisposeAsync();
            await cleanup.AfterStopAsync(CancellationToken.None);
            data.Dispose();
        }
    }
}
