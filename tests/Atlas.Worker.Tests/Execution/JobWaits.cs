using Atlas.Core.Jobs;
using Atlas.Core.Storage;

namespace Atlas.Worker.Tests.Execution;

/// <summary>Waits of the worker tests, each bounded (30 s), so a test that waits in vain fails rather than hangs.</summary>
internal static class JobWaits
{
    public static async Task WaitForAsync(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The condition did not hold within 30 s.");
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>The job once it has ended.</summary>
    public static async Task<JobView> WaitEndedAsync(JobReader store, string id, CancellationToken cancellationToken)
    {
        JobView? job = null;
        await WaitForAsync(async () => JobStateMachine.IsTerminal((job = (await store.GetAsync(id, cancellationToken))!.View).State), cancellationToken);
        return job!;
    }
}
