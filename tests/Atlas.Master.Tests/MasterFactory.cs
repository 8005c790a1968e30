using Atlas.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Atlas.Master.Tests;

/// <summary>
/// The real master in-process (TestServer), on a real redis-server and a temp shared volume; with
/// <paramref name="authority"/>, auth is on and tokens are checked against that issuer.
/// </summary>
public sealed class MasterFactory(RedisServer redis, string? authority = null) : WebApplicationFactory<Program>
{
    public TempFolder Shared { get; } = new("atlas-shared");

    /// <summary>Small limits so the size checks are quick to reach.</summary>
    public const long MaxBundleBytes = 64 * 1024;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:redis", redis.ConnectionString);
        builder.UseSetting("Atlas:SharedRoot", Shared.Path);
        builder.UseSetting("Atlas:Master:MaxBundleBytes", MaxBundleBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (authority is not null)
        {
            builder.UseSetting("Atlas:Auth:Enabled", "true");
            builder.UseSetting("Atlas:Auth:Authority", authority);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Shared.Dispose();
    }
}
