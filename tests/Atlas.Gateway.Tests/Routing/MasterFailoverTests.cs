using Atlas.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Atlas.Gateway.Tests.Routing;

/// <summary>With two masters configured and the first one gone, calls still succeed through the second.</summary>
public sealed class MasterFailoverTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private Upstream _active = null!;
    private Upstream _standby = null!;
    private WebApplicationFactory<Program> _gateway = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _active = await Upstream.StartAsync("active");
        _standby = await Upstream.StartAsync("standby");
        _gateway = GatewayHost.Create(redis.ConnectionString, [_active.Url, _standby.Url]);
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _standby.DisposeAsync();
    }

    [Fact]
    public async Task Get_FirstMasterDies_EveryCallAnsweredByTheOther()
    {
        using var client = _gateway.CreateClient();
        (await client.GetStringAsync("/api/v1/nodes", Ct)).ShouldBe("active GET /api/v1/nodes");

        await _active.DisposeAsync(); // killed: its port now refuses connections, before any health check notices

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync("/api/v1/jobs", Ct);
            (await response.Content.ReadAsStringAsync(Ct)).ShouldBe("standby GET /api/v1/jobs");
        }
    }
}
