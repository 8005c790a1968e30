using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Net;
using Atlas.Core.Storage;
using Atlas.Testing;

namespace Atlas.Master.Tests.Apis;

/// <summary>
/// A submit carrying an <c>Idempotency-Key</c>, replayed, returns the job the first one created.
/// The crash case runs the real master binary as a process on a real Redis and kills it (SIGKILL,
/// through its test setting) between recording the job and answering.
/// </summary>
public sealed class IdempotentSubmitTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string Spec = """{"command":["true"]}""";
    private readonly TempFolder _shared = new("atlas-shared");
    private readonly List<Process> _masters = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await using var connection = await redis.ConnectEmptyAsync();
    }

    public ValueTask DisposeAsync()
    {
        foreach (var master in _masters)
        {
            if (!master.HasExited)
            {
                master.Kill(entireProcessTree: true);
                master.WaitForExit();
            }
            master.Dispose();
        }
        _shared.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task SubmitJob_SameKeyTwice_SecondAnswers200WithTheFirstJob()
    {
        await using var factory = new MasterFactory(redis);
        using var client = factory.CreateClient();

        using var first = await SubmitAsync(client, "key-a");
        using var again = await SubmitAsync(client, "key-a");
        using var other = await SubmitAsync(client, "key-b");

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        other.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = (await ReadJobAsync(first)).Id;
        (await ReadJobAsync(again)).Id.ShouldBe(id);
        (await ReadJobAsync(other)).Id.ShouldNotBe(id);
        (await client.GetFromJsonAsync<List<JobView>>("/api/v1/jobs", AtlasJson.Options, Ct))!.Count.ShouldBe(2);
        Directory.GetDirectories(Path.Combine(factory.Shared.Path, "jobs")).Length.ShouldBe(2);
        Directory.GetFileSystemEntries(Path.Combine(factory.Shared.Path, "uploads")).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789")]
    [InlineData("ünïcode")]
    public async Task SubmitJob_BadKey_Is400NamingTheHeaderAndWritesNothing(string key)
    {
        await using var factory = new MasterFactory(redis);
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs") { Content = JobUpload.Multipart(Spec, JobUpload.Bundle(("a.txt", "a"))) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        using var response = await client.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("Idempotency-Key");
        (await client.GetFromJsonAsync<List<JobView>>("/api/v1/jobs", AtlasJson.Options, Ct))!.ShouldBeEmpty();
    }

    [Fact]
    public async Task SubmitJob_MasterKilledBetweenWriteAndAnswer_ReplayReturnsTheSameJob()
    {
        var dying = await StartMasterAsync(killAfterSubmit: true);
        using (var client = new HttpClient { BaseAddress = dying.Url })
        {
            await Should.ThrowAsync<HttpRequestException>(() => SubmitAsync(client, "replay-me"));
        }
        await dying.Process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await using var connection = RedisConnector.Connect(redis.ConnectionString);
        var recorded = (await new JobReader(connection).ListAsync(null, null, null, 10, Ct)).ShouldHaveSingleItem(); // written, never answered

        var next = await StartMasterAsync(killAfterSubmit: false);
        using var replayClient = new HttpClient { BaseAddress = next.Url };
        using var replay = await SubmitAsync(replayClient, "replay-me");

        replay.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ReadJobAsync(replay)).Id.ShouldBe(recorded.Id);
        (await new JobReader(connection).ListAsync(null, null, null, 10, Ct)).ShouldHaveSingleItem().Id.ShouldBe(recorded.Id);
    }

    private static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs") { Content = JobUpload.Multipart(Spec, JobUpload.Bundle(("a.txt", "a"))) };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request, Ct);
    }

    private static async Task<JobView> ReadJobAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, Ct))!;

    // The master binary this test project was built with, as its own process.
    private async Task<(Process Process, Uri Url)> StartMasterAsync(bool killAfterSubmit)
    {
        var url = new Uri($"http://127.0.0.1:{LoopbackPorts.Next()}");
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Atlas.Master.dll")])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["ConnectionStrings__redis"] = redis.ConnectionString;
        info.Environment["Atlas__SharedRoot"] = _shared.Path;
        info.Environment["ASPNETCORE_URLS"] = url.ToString();
        info.Environment["Atlas__Master__KillAfterSubmitRecorded"] = killAfterSubmit ? "true" : "false";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _masters.Add(process);
        using var probe = new HttpClient { BaseAddress = url };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            process.HasExited.ShouldBeFalse("the master exited at start");
            try
            {
                if ((await probe.GetAsync("/api/v1/jobs", Ct)).IsSuccessStatusCode)
                {
                    return (process, url);
                }
            }
            catch (HttpRequestException)
            {
            }
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the master did not answer");
            await Task.Delay(200, Ct);
        }
    }
}
