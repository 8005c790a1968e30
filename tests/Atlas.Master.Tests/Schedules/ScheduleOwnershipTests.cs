using System.Net;
using Atlas.Core.Schedules;
using Atlas.Core.Storage;
using Atlas.Master.Tests.Auth;
using Atlas.Testing;

namespace Atlas.Master.Tests.Schedules;

/// <summary>
/// The real master with auth on (tokens from a real issuer on loopback): a schedule belongs to
/// the user who added it, anyone else's is a 404 on every call and changes nothing, names are
/// per user, and an admin sees and acts on all.
/// </summary>
public sealed class ScheduleOwnershipTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private AuthMaster _master = null!;
    private HttpClient _client = null!;
    private string _alice = null!;
    private string _bob = null!;
    private string _admin = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        using (var connection = RedisConnector.Connect(redis.ConnectionString))
        {
            await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
        }
        _master = await AuthMaster.StartAsync(redis);
        (_client, _alice, _bob, _admin) = (_master.Client, _master.Alice, _master.Bob, _master.Admin);
    }

    public ValueTask DisposeAsync() => _master.DisposeAsync();

    [Fact]
    public async Task OthersSchedule_EveryCall_Is404AndChangesNothing()
    {
        var bobs = await _client.AddScheduleAsync(ScheduleCalls.AddBody("0 3 * * *", name: "nightly"), _bob, Ct);

        foreach (var key in new[] { bobs.Id, "nightly" })
        {
            (await _client.SendAsync(HttpMethod.Get, $"/api/v1/schedules/{key}", _alice, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound, key);
            (await _client.SendAsync(HttpMethod.Post, $"/api/v1/schedules/{key}/pause", _alice, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound, key);
            (await _client.SendAsync(HttpMethod.Post, $"/api/v1/schedules/{key}/resume", _alice, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound, key);
            (await _client.SendAsync(HttpMethod.Delete, $"/api/v1/schedules/{key}", _alice, Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound, key);
        }

        var own = await _client.GetAsync<ScheduleView>($"/api/v1/schedules/{bobs.Id}", _bob, Ct);
        own.Paused.ShouldBeFalse();
        own.Owner.ShouldBe("sub-bob");
        own.Username.ShouldBe("bob");
        (await _client.GetAsync<List<ScheduleView>>("/api/v1/schedules", _alice, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Names_PerUser_SameNameForTwoUsersEachReachesOwn()
    {
        var alices = await _client.AddScheduleAsync(ScheduleCalls.AddBody("0 3 * * *", name: "nightly"), _alice, Ct);
        var bobs = await _client.AddScheduleAsync(ScheduleCalls.AddBody("0 4 * * *", name: "nightly"), _bob, Ct);

        (await _client.GetAsync<ScheduleView>("/api/v1/schedules/nightly", _alice, Ct)).Id.ShouldBe(alices.Id);
        (await _client.GetAsync<ScheduleView>("/api/v1/schedules/nightly", _bob, Ct)).Id.ShouldBe(bobs.Id);
        (await _client.SendAsync(HttpMethod.Post, "/api/v1/schedules/nightly/pause", _alice, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _client.GetAsync<ScheduleView>("/api/v1/schedules/nightly", _bob, Ct)).Paused.ShouldBeFalse();
    }

    [Fact]
    public async Task OthersSchedule_Admin_SeesPausesAndRemoves()
    {
        var bobs = await _client.AddScheduleAsync(ScheduleCalls.AddBody("0 3 * * *"), _bob, Ct);
        await _client.AddScheduleAsync(ScheduleCalls.AddBody("0 3 * * *"), _alice, Ct);

        (await _client.GetAsync<List<ScheduleView>>("/api/v1/schedules", _admin, Ct)).Count.ShouldBe(2);
        (await _client.GetAsync<List<ScheduleView>>("/api/v1/schedules", _bob, Ct)).Select(s => s.Id).ShouldBe([bobs.Id]);
        (await _client.SendAsync(HttpMethod.Post, $"/api/v1/schedules/{bobs.Id}/pause", _admin, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _client.SendAsync(HttpMethod.Delete, $"/api/v1/schedules/{bobs.Id}", _admin, Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await _client.GetAsync<List<ScheduleView>>("/api/v1/schedules", _bob, Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Schedules_NoToken_Is401()
    {
        (await _client.GetAsync("/api/v1/schedules", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var add = await _client.PostAsync("/api/v1/schedules", ScheduleCalls.AddBody("0 3 * * *"), Ct);
        add.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
