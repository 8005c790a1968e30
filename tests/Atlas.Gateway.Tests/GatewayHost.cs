using Microsoft.AspNetCore.Mvc.Testing;

namespace Atlas.Gateway.Tests;

/// <summary>The real gateway in-process, on a real Redis, in front of the given masters.</summary>
internal static class GatewayHost
{
    /// <summary>A gateway; with <paramref name="authority"/>, auth is on and tokens are checked against that issuer.</summary>
    public static WebApplicationFactory<Program> Create(string redis, IReadOnlyList<string> masters, string? authority = null) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:redis", redis);
            for (var i = 0; i < masters.Count; i++)
            {
                b.UseSetting($"services:master:http:{i}", masters[i]);
            }
            if (authority is not null)
            {
                b.UseSetting("Atlas:Auth:Enabled", "true");
                b.UseSetting("Atlas:Auth:Authority", authority);
            }
        });
}
