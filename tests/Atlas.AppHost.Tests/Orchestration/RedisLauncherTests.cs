using Atlas.AppHost.Orchestration;
using Atlas.Core.Net;
using Atlas.Testing;

namespace Atlas.AppHost.Tests.Orchestration;

public class RedisLauncherTests
{
    [Fact]
    public void Locate_RedisOnPath_AppendOnlyOnLoopback()
    {
        var launcher = RedisLauncher.Locate(5556, "/data/redis", "everysec", "/repo", _ => "/usr/bin/redis-server", _ => false)!;

        launcher.FileName.ShouldBe("/usr/bin/redis-server");
        string.Join(' ', launcher.Arguments).ShouldBe("--bind 127.0.0.1 --port 5556 --dir /data/redis --appendonly yes --appendfsync everysec --save ");
    }

    [Fact]
    public void Locate_NoRedisButTools_UsesGarnetWithLua()
    {
        var launcher = RedisLauncher.Locate(5556, "/data/redis", "everysec", "/repo", _ => null, _ => true)!;

        launcher.FileName.ShouldBe("dotnet");
        launcher.Arguments.ShouldContain("garnet-server");
        launcher.Arguments.ShouldContain("--lua");
    }

    [Fact]
    public void Locate_Neither_IsNull() =>
        RedisLauncher.Locate(5556, "/d", "everysec", "/repo", _ => null, _ => false).ShouldBeNull();

    [Fact]
    public async Task PingAsync_RealRedis_AnswersPong()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        try
        {
            (await RedisLauncher.PingAsync(redis.Port, TestContext.Current.CancellationToken)).ShouldBeTrue();
            (await RedisLauncher.PingAsync(LoopbackPorts.Next(), TestContext.Current.CancellationToken)).ShouldBeFalse();
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }
}
