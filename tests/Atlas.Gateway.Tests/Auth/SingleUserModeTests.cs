using System.Net;
using System.Text.Json.Nodes;
using Atlas.Gateway.Tests.Routing;
using Atlas.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Atlas.Gateway.Tests.Auth;

/// <summary>Without <c>Atlas:Auth:Enabled</c>, nothing asks for a token and everyone is the admin <c>local</c>.</summary>
public sealed class SingleUserModeTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private Upstream _master = null!;
    private WebApplicationFactory<Program> _gateway = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _master = await Upstream.StartAsync("master");
        _gateway = GatewayHost.Create(redis.ConnectionString, [_master.Url]);
        _client = _gateway.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _master.DisposeAsync();
    }

    [Fact]
    public async Task AuthConfigAndMe_NoToken_SaySingleUser()
    {
        JsonNode.Parse(await _client.GetStringAsync("/api/v1/auth/config", Ct))!.ToJsonString().ShouldBe("""{"mode":"single-user"}""");
        var me = JsonNode.Parse(await _client.GetStringAsync("/api/v1/me", Ct))!;
        me["mode"]!.GetValue<string>().ShouldBe("single-user");
        me["username"]!.GetValue<string>().ShouldBe("local");
        me["admin"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task Api_NoToken_IsForwarded()
    {
        using var response = await _client.GetAsync("/api/v1/jobs", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldBe("master GET /api/v1/jobs");
    }
}
