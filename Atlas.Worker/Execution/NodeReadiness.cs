namespace Atlas.Worker.Execution;

/// <summary>
/// Set once the node is registered and what an earlier life left is settled. Registration waits
/// for Redis in the background, so the worker answers <c>/alive</c> (and an unhealthy
/// <c>/health</c>) meanwhile; the executor takes no work before this is set.
/// </summary>
internal sealed class NodeReadiness
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the node is registered.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    /// <summary>The node is registered and settled.</summary>
    public void Set() => _ready.TrySetResult();
}
