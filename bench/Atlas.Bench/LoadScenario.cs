using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Atlas.Core;
using Atlas.Core.Jobs;

namespace Atlas.Bench;

/// <summary>
/// Issue 3's load: <see cref="BenchSettings.Clients"/> clients at once, each submitting a no-op
/// job through the gateway and polling it (every 250 ms) until it ends, then the next, for
/// <see cref="BenchSettings.Seconds"/> seconds. Every request is timed; anything but the expected
/// answer counts as an error, by kind (status code or exception).
/// </summary>
internal sealed class LoadScenario(HttpClient client, BenchSettings settings)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentBag<double> _submits = [];
    private readonly ConcurrentBag<double> _polls = [];
    private readonly ConcurrentDictionary<string, int> _errors = new(StringComparer.Ordinal);
    private int _ended;

    public async Task<LoadResults> RunAsync()
    {
        // Warm-up: code jitted and connections open before the clock starts.
        await Task.WhenAll(Enumerable.Range(0, Math.Min(settings.Clients, 20)).Select(_ => OneJobAsync(CancellationToken.None)));
        _submits.Clear();
        _polls.Clear();
        _errors.Clear();
        _ended = 0;

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(settings.Seconds));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, settings.Clients).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await OneJobAsync(stop.Token);
            }
        })));
        var elapsed = clock.Elapsed;

        List<double> submits = [.. _submits.Order()];
        List<double> polls = [.. _polls.Order()];
        return new LoadResults(elapsed, submits.Count, polls.Count, _ended, new Dictionary<string, int>(_errors),
            Scenarios.Percentile(submits, 0.50), Scenarios.Percentile(submits, 0.99),
            Scenarios.Percentile(polls, 0.50), Scenarios.Percentile(polls, 0.99));
    }

    // One job: submit, then poll until it has ended. The run's end stops the polling, not a request in flight.
    private async Task OneJobAsync(CancellationToken stop)
    {
        var id = await TimedAsync(_submits, async () =>
        {
            using var content = Scenarios.SubmitContent("load");
            using var response = await client.PostAsync("/api/v1/jobs", content);
            return response.IsSuccessStatusCode
                ? (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options))!.Id
                : Error($"submit {(int)response.StatusCode}");
        });
        while (id is not null && !stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(PollInterval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var state = await TimedAsync(_polls, async () =>
            {
                using var response = await client.GetAsync($"/api/v1/jobs/{id}");
                return response.IsSuccessStatusCode
                    ? (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options))!.State.ToString()
                    : Error($"poll {(int)response.StatusCode}");
            });
            if (state is null)
            {
                return;
            }
            if (JobStateMachine.IsTerminal(Enum.Parse<JobState>(state)))
            {
                if (state != nameof(JobState.Succeeded))
                {
                    Error($"job {state.ToLowerInvariant()}");
                }
                Interlocked.Increment(ref _ended);
                return;
            }
        }
    }

    private async Task<string?> TimedAsync(ConcurrentBag<double> timings, Func<Task<string?>> request)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var result = await request();
            timings.Add(clock.Elapsed.TotalMilliseconds);
            return result;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            timings.Add(clock.Elapsed.TotalMilliseconds);
            return Error(ex.GetType().Name + (ex is HttpRequestException { HttpRequestError: var kind } ? $" ({kind})" : ""));
        }
    }

    private string? Error(string kind)
    {
        _errors.AddOrUpdate(kind, 1, (_, n) => n + 1);
        return null;
    }
}
