using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;

namespace Atlas.AppHost;

/// <summary>
/// Remembers the process id DCP reports for every executable resource, so that the AppHost, once
/// stopped, waits for them to be gone instead of leaving DCP to finish in the background.
/// </summary>
internal sealed class ResourceProcesses(ResourceNotificationService notifications, TimeProvider time) : BackgroundService
{
    private readonly ConcurrentDictionary<string, int> _pids = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in notifications.WatchAsync(stoppingToken))
            {
                if (e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
                    && int.TryParse(value.ToString(), System.Globalization.CultureInfo.InvariantCulture, out var pid))
                {
                    _pids[e.Resource.Name] = pid;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The process id DCP reported for the resource named <paramref name="name"/>, or null before it has one.</summary>
    public int? PidOf(string name) => _pids.TryGetValue(name, out var pid) ? pid : null;

    /// <summary>Waits up to <paramref name="limit"/> until none of the recorded processes is alive.</summary>
    public async Task WaitExitedAsync(TimeSpan limit)
    {
        var deadline = time.GetUtcNow() + limit;
        while (_pids.Values.Any(pid => Directory.Exists($"/proc/{pid}")) && time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), time);
        }
    }
}
