using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Testing;

namespace Atlas.Master.Tests.Apis;

public sealed class JobsApiTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private MasterFactory _factory = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _factory = new MasterFactory(redis);
        _client = _factory.CreateClient();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task SubmitJob_ValidSpecAndBundle_CreatesJobFolderAndQueues()
    {
        using var body = Multipart("""{"command":["python","train.py"],"project":"vision","env":{"LR":"0.1"}}""",
            Bundle(("train.py", "print('hi')"), ("data/a.txt", "a")));

        using var response = await _client.PostAsync("/api/v1/jobs", body, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var job = (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, Ct))!;
        job.State.ShouldBe(JobState.Queued);
        job.Project.ShouldBe("vision");
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/jobs/{job.Id}");
        var dir = Path.Combine(_factory.Shared.Path, "jobs", job.Id);
        File.ReadAllText(Path.Combine(dir, "work", "train.py")).ShouldBe("print('hi')");
        File.Exists(Path.Combine(dir, "work", "data", "a.txt")).ShouldBeTrue();
        File.Exists(Path.Combine(dir, "bundle.tar.gz")).ShouldBeTrue();
        Directory.Exists(Path.Combine(dir, "artifacts")).ShouldBeTrue();
        JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "spec.json"))).RootElement.GetProperty("env").GetProperty("LR").GetString().ShouldBe("0.1");

        var fetched = await _client.GetFromJsonAsync<JobView>($"/api/v1/jobs/{job.Id}", AtlasJson.Options, Ct);
        fetched!.History.Single().State.ShouldBe(JobState.Queued);
    }

    [Theory]
    [InlineData("""{"command":[]}""", "command")]
    [InlineData("""{"command":["x"],"priority":1000}""", "priority")]
    [InlineData("""{"command":["x"],"env":{"1BAD":"v"}}""", "env")]
    [InlineData("""{"command":["x"],"project":"../etc"}""", "project")]
    [InlineData("""{"command":"not-a-list"}""", "command")]
    [InlineData("""{"command":["x"],"priority":"high"}""", "priority")]
    [InlineData("""not json""", "spec")]
    [InlineData("""{"command":null}""", "command")]
    [InlineData("""{"command":["x"],"env":{"A":null}}""", "env")]
    public async Task SubmitJob_MalformedSpec_Is400NamingFieldAndWritesNothing(string spec, string field)
    {
        using var body = Multipart(spec, Bundle(("a.txt", "a")));

        using var response = await _client.PostAsync("/api/v1/jobs", body, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        NoJobWritten();
    }

    public static TheoryData<string, string> HostileBundles => new()
    {
        { "traversal", "../../escape.txt" },
        { "absolute", "/etc/cron.d/evil" },
        { "symlink", "link" },
        { "device", "dev/null" },
    };

    [Theory]
    [MemberData(nameof(HostileBundles))]
    public async Task SubmitJob_HostileBundle_Is400NamingEntryAndWritesNothing(string kind, string entry)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "ok.txt") { DataStream = new MemoryStream([1]) });
            tar.WriteEntry(kind switch
            {
                "symlink" => new PaxTarEntry(TarEntryType.SymbolicLink, entry) { LinkName = "../../../etc" },
                "device" => new PaxTarEntry(TarEntryType.CharacterDevice, entry),
                _ => new PaxTarEntry(TarEntryType.RegularFile, entry) { DataStream = new MemoryStream([1]) },
            });
        }
        using var body = Multipart("""{"command":["x"]}""", buffer.ToArray());

        using var response = await _client.PostAsync("/api/v1/jobs", body, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        problem.GetProperty("errors").GetProperty("bundle")[0].GetString()!.ShouldContain($"'{entry}'");
        NoJobWritten();
    }

    [Fact]
    public async Task SubmitJob_NotMultipart_Is415()
    {
        using var response = await _client.PostAsJsonAsync("/api/v1/jobs", new { command = new[] { "x" } }, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        NoJobWritten();
    }

    [Fact]
    public async Task SubmitJob_BundleOverLimit_Is413AndWritesNothing()
    {
        var big = new byte[MasterFactory.MaxBundleBytes + 1];
        Random.Shared.NextBytes(big);
        using var body = Multipart("""{"command":["x"]}""", big);

        using var response = await _client.PostAsync("/api/v1/jobs", body, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        NoJobWritten();
    }

    [Fact]
    public async Task GetJob_UnknownOrMalformedId_Is404()
    {
        foreach (var id in new[] { "0000000000zzzzzz", "..%2F..%2Fetc", "x" })
        {
            using var response = await _client.GetAsync($"/api/v1/jobs/{id}", Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, id);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }
    }

    [Fact]
    public async Task ListJobs_BadState_Is400NamingState()
    {
        using var response = await _client.GetAsync("/api/v1/jobs?state=sleeping", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("state");
    }

    [Fact]
    public async Task StopThenDelete_QueuedJob_CancelsThenRemovesFolder()
    {
        using var body = Multipart("""{"command":["sleep","100"]}""", Bundle(("a.txt", "a")));
        using var submitted = await _client.PostAsync("/api/v1/jobs", body, Ct);
        var job = (await submitted.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, Ct))!;

        using (var delete = await _client.DeleteAsync($"/api/v1/jobs/{job.Id}", Ct))
        {
            delete.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        }
        using (var stop = await _client.PostAsync($"/api/v1/jobs/{job.Id}/stop", null, Ct))
        {
            stop.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            (await stop.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, Ct))!.State.ShouldBe(JobState.Cancelled);
        }
        using (var delete = await _client.DeleteAsync($"/api/v1/jobs/{job.Id}", Ct))
        {
            delete.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }
        Directory.Exists(Path.Combine(_factory.Shared.Path, "jobs", job.Id)).ShouldBeFalse();
        (await _client.GetAsync($"/api/v1/jobs/{job.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GetLogs_FinishedJobWithLog_ServesFileFromSharedVolume()
    {
        using var body = Multipart("""{"command":["x"]}""", Bundle(("a.txt", "a")));
        using var submitted = await _client.PostAsync("/api/v1/jobs", body, Ct);
        var job = (await submitted.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, Ct))!;
        await _client.PostAsync($"/api/v1/jobs/{job.Id}/stop", null, Ct);
        Directory.CreateDirectory(Path.Combine(_factory.Shared.Path, "jobs", job.Id, "logs"));
        await File.WriteAllTextAsync(Path.Combine(_factory.Shared.Path, "jobs", job.Id, "logs", "output.log"), "line 1\nline 2\n", Ct);

        var log = await _client.GetStringAsync($"/api/v1/jobs/{job.Id}/logs?follow=true", Ct);

        log.ShouldBe("line 1\nline 2\n");
    }

    [Fact]
    public async Task OpenApi_Document_ListsJobRoutes()
    {
        var doc = await _client.GetStringAsync("/openapi/v1.json", Ct);

        doc.ShouldContain("/api/v1/jobs/{id}/logs");
        doc.ShouldContain("/api/v1/nodes");
        doc.ShouldNotContain("securitySchemes"); // single-user mode: no token to send
    }

    private void NoJobWritten()
    {
        var jobs = Path.Combine(_factory.Shared.Path, "jobs");
        (Directory.Exists(jobs) ? Directory.GetFileSystemEntries(jobs) : []).ShouldBeEmpty();
        var uploads = Path.Combine(_factory.Shared.Path, "uploads");
        (Directory.Exists(uploads) ? Directory.GetFileSystemEntries(uploads) : []).ShouldBeEmpty();
    }

    internal static MultipartFormDataContent Multipart(string spec, byte[] bundle) => JobUpload.Multipart(spec, bundle);

    internal static byte[] Bundle(params (string Name, string Text)[] files) => JobUpload.Bundle(files);
}
