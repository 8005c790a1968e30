using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Testing;
using StackExchange.Redis;

namespace Atlas.Core.Tests.Storage;

/// <summary>
/// The transition table against the real scripts on a real redis-server: every script that
/// changes a job's state is run from every state a job can rest in, and each move it makes
/// (read from the job's history, so the passing <c>lost</c> counts too) must be in
/// <see cref="JobStateMachine.Transitions"/>; together the runs must make every move the table
/// allows, so neither side has a transition the other lacks.
/// </summary>
public sealed class JobTransitionTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string Node = "n";
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private static readonly JobState[] Resting =
        [JobState.Queued, JobState.Assigned, JobState.Starting, JobState.Running, JobState.Succeeded, JobState.Failed, JobState.Cancelled];

    private ConnectionMultiplexer _connection = null!;
    private JobStores _store = null!;
    private long _epoch;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every step that can change a job's state, as the role that owns it makes it.</summary>
    private Dictionary<string, Func<string, long, Task>> Steps => new()
    {
        ["place"] = (_, _) => _store.Master.PlaceAsync(10, Lease, _epoch, Ct),
        ["claim"] = (id, fence) => _store.Worker.ClaimAsync(Node, Lease, [new Assignment(id, fence)], Ct),
        ["start"] = (id, fence) => _store.Worker.StartAsync(id, Node, fence, Lease, Ct),
        ["complete succeeded"] = (id, fence) => _store.Worker.CompleteAsync(id, Node, fence, JobState.Succeeded, 0, null, Ct),
        ["complete failed"] = (id, fence) => _store.Worker.CompleteAsync(id, Node, fence, JobState.Failed, 1, "exited with code 1", Ct),
        ["complete cancelled"] = (id, fence) => _store.Worker.CompleteAsync(id, Node, fence, JobState.Cancelled, 143, "stopped by user", Ct),
        ["complete failed, retry policy"] = async (id, fence) =>
        {
            // What a submit with --retries 1 --retry-on 137 writes.
            await _connection.GetDatabase().HashSetAsync(RedisKeys.Job(id), [new("retries", 1), new("retryOn", "137")]);
            await _store.Worker.CompleteAsync(id, Node, fence, JobState.Failed, 137, "exited with code 137", Ct);
        },
        ["hand back"] = (id, fence) => _store.Worker.HandBackAsync(id, Node, fence, "drained", Ct),
        ["stop"] = (id, _) => _store.Master.StopAsync(id, Ct),
        ["stop, then hand back"] = async (id, fence) =>
        {
            await _store.Master.StopAsync(id, Ct);
            await _store.Worker.HandBackAsync(id, Node, fence, "drained", Ct);
        },
        ["stop, then claim"] = async (id, fence) =>
        {
            await _store.Master.StopAsync(id, Ct);
            await _store.Worker.ClaimAsync(Node, Lease, [new Assignment(id, fence)], Ct);
        },
        ["reap, attempts left"] = async (id, _) =>
        {
            await ExpireLeaseAsync(id);
            await _store.Master.ReapAsync(10, maxAttempts: 3, _epoch, Ct);
        },
        ["reap, last attempt"] = async (id, _) =>
        {
            await ExpireLeaseAsync(id);
            await _store.Master.ReapAsync(10, maxAttempts: 1, _epoch, Ct);
        },
        ["stop, then reap"] = async (id, _) =>
        {
            await _store.Master.StopAsync(id, Ct);
            await ExpireLeaseAsync(id);
            await _store.Master.ReapAsync(10, maxAttempts: 3, _epoch, Ct);
        },
    };

    public async ValueTask InitializeAsync()
    {
        _connection = RedisConnector.Connect(redis.ConnectionString);
        _store = new JobStores(_connection);
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task EveryStepFromEveryState_MakesOnlyAllowedMoves_AndEveryAllowedMoveIsMade()
    {
        var made = new HashSet<(JobState From, JobState To)>();
        var wrong = new List<string>();
        foreach (var from in Resting)
        {
            foreach (var (step, run) in Steps)
            {
                var (id, fence) = await ReachAsync(from);
                var before = (await _store.Reader.GetAsync(id, Ct))!.View.History.Count;
                await run(id, fence);
                var history = (await _store.Reader.GetAsync(id, Ct))!.View.History.Select(h => h.State).ToList();
                for (var i = Math.Max(1, before); i < history.Count; i++)
                {
                    var move = (history[i - 1], history[i]);
                    made.Add(move);
                    if (!JobStateMachine.CanMove(move.Item1, move.Item2))
                    {
                        wrong.Add($"{step} from {from}: {move.Item1} -> {move.Item2}");
                    }
                }
                if (JobStateMachine.IsTerminal(from) && history.Count != before)
                {
                    wrong.Add($"{step} changed the {from} job");
                }
            }
        }

        wrong.ShouldBeEmpty();
        JobStateMachine.Transitions.Select(t => (t.From, t.To)).Except(made).ShouldBeEmpty("allowed by the table but made by no script");
    }

    [Theory]
    [InlineData("succeeded", "queued")]
    [InlineData("queued", "running")]
    [InlineData("assigned", "succeeded")]
    [InlineData("nonsense", "queued")]
    public async Task Move_ForbiddenByTheTable_RaisesAndWritesNothing(string from, string to)
    {
        await Flush();
        var script = JobScripts.Common + "move(P .. 'job:x', 'x', ARGV[2], ARGV[3], 1, nil, nil) return 'moved'";

        var error = await Should.ThrowAsync<RedisServerException>(() => _connection.GetDatabase().ScriptEvaluateAsync(script, values: [RedisKeys.Prefix, from, to]));

        error.Message.ShouldContain("is not in the table");
        (await _connection.GetDatabase().KeyExistsAsync(RedisKeys.Job("x"))).ShouldBeFalse();
    }

    [Fact]
    public async Task Move_AllowedByTheTable_Writes()
    {
        await Flush();
        var script = JobScripts.Common + "move(P .. 'job:x', 'x', 'starting', 'running', 1, nil, nil) return 'moved'";

        ((string?)await _connection.GetDatabase().ScriptEvaluateAsync(script, values: [RedisKeys.Prefix])).ShouldBe("moved");
        ((string?)await _connection.GetDatabase().HashGetAsync(RedisKeys.Job("x"), "state")).ShouldBe("running");
    }

    /// <summary>A fresh Redis with one job in <paramref name="state"/> on node <see cref="Node"/>; returns its id and current token.</summary>
    private async Task<(string Id, long Fence)> ReachAsync(JobState state)
    {
        await Flush();
        var id = JobId.New(DateTimeOffset.UtcNow);
        await _store.Master.SubmitAsync(id, new JobSpec { Command = ["true"] }, JobOwner.Local, null, null, Ct);
        if (state == JobState.Cancelled)
        {
            await _store.Master.StopAsync(id, Ct);
        }
        if (state is JobState.Queued or JobState.Cancelled)
        {
            return (id, 0);
        }
        var fence = (await _store.Master.PlaceAsync(10, Lease, _epoch, Ct)).Single().Fence;
        if (state != JobState.Assigned)
        {
            await _store.Worker.ClaimAsync(Node, Lease, [new Assignment(id, fence)], Ct);
        }
        if (state is JobState.Running or JobState.Succeeded or JobState.Failed)
        {
            await _store.Worker.StartAsync(id, Node, fence, Lease, Ct);
        }
        if (state is JobState.Succeeded or JobState.Failed)
        {
            await _store.Worker.CompleteAsync(id, Node, fence, state, state == JobState.Succeeded ? 0 : 1, null, Ct);
        }
        (await _store.Reader.StateAsync(id, Ct)).ShouldBe(state);
        return (id, fence);
    }

    private async Task Flush()
    {
        await _connection.GetServer(_connection.GetEndPoints()[0]).FlushDatabaseAsync();
        _epoch = await _store.Master.LeadAsync("test-master", TimeSpan.FromMinutes(1), Ct);
        await _store.Worker.RegisterNodeAsync(new NodeRegistration(Node, "http://n:1", "process", 4), TimeSpan.FromMinutes(1), Ct);
    }

    // Judged on Redis's clock: a lease that ended at the epoch has lapsed.
    private Task ExpireLeaseAsync(string id) =>
        _connection.GetDatabase().SortedSetAddAsync(RedisKeys.Leases, id, 0, SortedSetWhen.Exists);
}
