using Atlas.Testing;

namespace Atlas.Master.Tests.Auth;

/// <summary>
/// The real master with auth on, its tokens from a real issuer on loopback, and one token each
/// for alice, bob (users) and root (an admin): what every ownership test starts from.
/// </summary>
internal sealed class AuthMaster : IAsyncDisposable
{
    private AuthMaster(TestIssuer issuer, MasterFactory factory)
    {
        Issuer = issuer;
        Factory = factory;
        Client = factory.CreateClient();
        Alice = issuer.Mint("sub-alice", "alice");
        Bob = issuer.Mint("sub-bob", "bob");
        Admin = issuer.Mint("sub-root", "root", ["atlas-admin"]);
    }

    public TestIssuer Issuer { get; }

    public MasterFactory Factory { get; }

    public HttpClient Client { get; }

    public string Alice { get; }

    public string Bob { get; }

    public string Admin { get; }

    public static async Task<AuthMaster> StartAsync(RedisServer redis)
    {
        var issuer = await TestIssuer.StartAsync();
        return new AuthMaster(issuer, new MasterFactory(redis, issuer.Authority));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        await Issuer.DisposeAsync();
    }
}
