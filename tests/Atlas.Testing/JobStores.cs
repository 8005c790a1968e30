using Atlas.Core.Storage;
using StackExchange.Redis;
using Xunit;

namespace Atlas.Testing;

/// <summary>The three per-role stores on one connection: tests play the master, a worker and a reader at once.</summary>
public sealed class JobStores(IConnectionMultiplexer redis)
{
    public MasterJobStore Master { get; } = new(redis);

    public WorkerJobStore Worker { get; } = new(redis);

    public JobReader Reader { get; } = new(redis);

    /// <summary>Plays the worker of <paramref name="node"/>: claims job <paramref name="id"/> from its inbox and records its start. Returns the claimed record.</summary>
    public async Task<JobRecord> ClaimAndStartAsync(string id, string node, TimeSpan lease, CancellationToken cancellationToken)
    {
        var inbox = await Worker.InboxAsync(node, cancellationToken);
        var claimed = Assert.Single((await Worker.ClaimAsync(node, lease, [.. inbox.Where(a => a.Id == id)], cancellationToken)).Claimed);
        Assert.NotNull(await Worker.StartAsync(id, node, claimed.Fence, lease, cancellationToken));
        return claimed;
    }
}
