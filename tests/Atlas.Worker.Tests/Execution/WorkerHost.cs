using Microsoft.AspNetCore.Mvc.Testing;

namespace Atlas.Worker.Tests.Execution;

/// <summary>The real worker host in-process with the process runtime, on a real Redis and a temp shared volume.</summary>
internal static class WorkerHost
{
    public static WebApplicationFactory<Program> Create(string redis, string sharedRoot, string node, string drainGraceSeconds, string heartbeatSeconds = "5") =>
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
        });
}
