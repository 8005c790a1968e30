using System.Diagnostics;
using System.Text;
using Atlas.Core;
using Atlas.Core.Net;
using Atlas.Testing;

namespace Atlas.AppHost.Tests.Publishing;

/// <summary>
/// Redis is protected in every deployment: each service (the built binaries, as compose and
/// systemd start them) given no password or the wrong one stops at start with a message naming
/// the setting; given the right one it runs and answers.
/// </summary>
public sealed class RedisPasswordTests : IAsyncLifetime
{
    private const string Password = "the-cluster-password-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly RedisServer _redis = RedisServer.WithPassword(Password);
    private readonly TempFolder _shared = new("atlas-redis-password");

    public static TheoryData<string, string> Refused => new()
    {
        { "Atlas.Master", "" },
        { "Atlas.Master", ",password=wrong" },
        { "Atlas.Worker", "" },
        { "Atlas.Worker", ",password=wrong" },
        { "Atlas.Gateway", "" },
        { "Atlas.Gateway", ",password=wrong" },
    };

    public ValueTask InitializeAsync() => _redis.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        await _redis.DisposeAsync();
        _shared.Dispose();
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Start_NoOrWrongRedisPassword_ExitsNamingTheSetting(string project, string password)
    {
        using var service = Start(project, $"127.0.0.1:{_redis.Port}{password}", out var output);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await service.WaitForExitAsync(timeout.Token);
        service.ExitCode.ShouldNotBe(0);
        var text = output.ToString();
        text.ShouldContain("ConnectionStrings__redis (or REDIS_ADDRESS)");
        text.ShouldContain(password.Length == 0 ? "requires a password" : "refused the password");
    }

    [Fact]
    public async Task Start_RightRedisPassword_ServiceAnswers()
    {
        var port = LoopbackPorts.Next();
        using var service = Start("Atlas.Master", $"127.0.0.1:{_redis.Port},password={Password}", out var output, port);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                service.HasExited.ShouldBeFalse(output.ToString());
                try
                {
                    using var health = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"), Ct);
                    if (health.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException) when (!Ct.IsCancellationRequested)
                {
                    // A busy machine: the service was slow to answer; ask again.
                }
                DateTime.UtcNow.ShouldBeLessThan(deadline, "the master was not healthy within 60 s:\n" + output);
                await Task.Delay(250, Ct);
            }
        }
        finally
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync(Ct);
        }
    }

    private Process Start(string project, string connectionString, out StringBuilder output, int? port = null)
    {
        var binary = Path.ChangeExtension(AtlasBuildInfo.ProjectDll(typeof(RedisPasswordTests).Assembly, project), null);
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var url = $"http://127.0.0.1:{port ?? LoopbackPorts.Next()}";
        info.Environment["ConnectionStrings__redis"] = connectionString;
        info.Environment["ASPNETCORE_URLS"] = url;
        info.Environment["HOST_ADDRESS"] = url;
        info.Environment["Atlas__SharedRoot"] = _shared.Path;
        info.Environment["services__master__http__0"] = "http://127.0.0.1:1";
        var log = new StringBuilder();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = log;
        return process;
    }
}
