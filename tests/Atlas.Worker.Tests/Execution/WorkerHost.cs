using Microsoft.AspNetCore.Mvc.Testing;

namespace Atlas.Worker.Tests.Execution;

/// <summary>The real worker host in-process with the process runtime, on a real Redis and a temp shared volume.</summary>
internal static class WorkerHost
{
    /// <summary>A worker; with <paramref name="authority"/>, auth is on and tokens are checked against that issuer.</summary>
    public static WebApplicationFactory<Program> Create(
        string redis, string sharedRoot, string node, string drainGraceSeconds, string heartbeatSeconds = "5", string? authority = null,
        IReadOnlyDictionary<string, string>? settings = null) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:redis", redis);
            b.UseSetting("Atlas:SharedRoot", sharedRoot);
            b.UseSetting("Atlas:Worker:Name", node);
            b.UseSetting("Atlas:Worker:Address", "http://127.0.0.1:1");
            b.UseSetting("Atlas:Worker:Slots", "2");
            b.UseSetting("Atlas:Worker:Runtime", "process");
            b.UseSetting("Atlas:Worker:Process:StopGracePeriod", "00:00:01");
            b.UseSetting("Atlas:Worker:DrainGraceSeconds", drainGraceSeconds);
            b.UseSetting("Atlas:Worker:HeartbeatSeconds", heartbeatSeconds);
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                b.UseSetting(key, value);
            }
            if (authority is not null)
            {
                b.UseSetting("Atlas:Auth:Enabled", "true");
                b.UseSetting("Atlas:Auth:Authority", authority);
            }
        });
}
