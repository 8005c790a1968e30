using System.Collections.Concurrent;
using Atlas.Api.Jobs;

namespace Atlas.Worker.Execution;

/// <summary>The jobs running on this node right now.</summary>
internal sealed class RunningJobs : ILiveLogs
{
    private readonly ConcurrentDictionary<string, RunningJob> _jobs = new(StringComparer.Ordinal);

    public int Count => _jobs.Count;

    public bool TryAdd(RunningJob job) => _jobs.TryAdd(job.Id, job);

    public bool Contains(string id) => _jobs.ContainsKey(id);

    public void Remove(string id) => _jobs.TryRemove(id, out _);

    public IReadOnlyList<RunningJob> Snapshot() => [.. _jobs.Values];

    /// <summary>Stops the job if it runs here; false otherwise.</summary>
    public bool Stop(string id, StopReason reason)
    {
        if (!_jobs.TryGetValue(id, out var job))
        {
            return false;
        }
        job.Stop(reason);
        return true;
    }

    public Func<CancellationToken, Task<bool>>? Follow(string jobId) =>
        _jobs.TryGetValue(jobId, out var job) ? job.Log.WaitForMoreAsync : null;
}
