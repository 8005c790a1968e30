using Atlas.Core.Storage;
using StackExchange.Redis;

namespace Atlas.Testing;

/// <summary>
/// Registers a node record with declared resources (<c>gpus</c>, <c>cpuMillis</c>, <c>memoryBytes</c>,
/// the fields a worker's Register writes) without a worker process: placement tests play the node.
/// </summary>
public static class FakeNodes
{
    public static async Task RegisterAsync(
        IConnectionMultiplexer redis, string name, int slots, int gpus = 0, long? cpuMillis = null, long? memoryBytes = null,
        TimeSpan? aliveFor = null, CancellationToken cancellationToken = default)
    {
        await new WorkerJobStore(redis).RegisterNodeAsync(new NodeRegistration(name, $"http://{name}.invalid:1", "process", slots), aliveFor ?? TimeSpan.FromMinutes(5), cancellationToken);
        var fields = new List<HashEntry> { new("gpus", string.Join(",", Enumerable.Range(0, gpus))) };
        if (cpuMillis is { } cpu)
        {
            fields.Add(new HashEntry("cpuMillis", cpu));
        }
        if (memoryBytes is { } memory)
        {
            fields.Add(new HashEntry("memoryBytes", memory));
        }
        await redis.GetDatabase().HashSetAsync(RedisKeys.Node(name), [.. fields]);
    }
}
