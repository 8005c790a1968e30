using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Bundles;
using Atlas.Core.Jobs;
using Atlas.Core.SharedVolume;
using Atlas.Master.Blobs;
using Atlas.Master.Tests.Auth;
using Atlas.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Atlas.Master.Tests.Blobs;

/// <summary>
/// Content-addressed upload on the real master (auth on, tokens from a real issuer, a real
/// redis-server): blobs are checked on receipt and scoped per user, a manifest passes the
/// tarball's checks and is recorded for the worker to build the job folder from, and the collector keeps every blob in use.
/// </summary>
public sealed class BlobsApiTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private AuthMaster _master = null!;
    private HttpClient _client = null!;
    private string _alice = null!;
    private string _bob = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _master = await AuthMaster.StartAsync(redis);
        (_client, _alice, _bob) = (_master.Client, _master.Alice, _master.Bob);
    }

    public ValueTask DisposeAsync() => _master.DisposeAsync();

    [Fact]
    public async Task Missing_UploadedByAnotherUser_StillMissingForTheCaller()
    {
        var hash = Sha("bob's secret file");
        (await PutAsync(_bob, hash, "bob's secret file")).StatusCode.ShouldBe(HttpStatusCode.Created);

        (await MissingAsync(_bob, hash)).ShouldBeEmpty();
        (await MissingAsync(_alice, hash)).ShouldBe([hash]);
    }

    [Fact]
    public async Task PutBlob_Twice_SecondIsOkAndKeepsOneCopy()
    {
        var hash = Sha("same");

        (await PutAsync(_alice, hash, "same")).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await PutAsync(_alice, hash, "same")).StatusCode.ShouldBe(HttpStatusCode.OK);

        BlobFiles().Count(f => f.EndsWith(hash, StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    public async Task PutBlob_BytesDoNotHashToTheName_400AndNothingStored()
    {
        var hash = Sha("what was promised");

        using var response = await PutAsync(_alice, hash, "something else");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("do not hash to this SHA-256");
        BlobFiles().ShouldBeEmpty();
        (await MissingAsync(_alice, hash)).ShouldBe([hash]);
    }

    [Fact]
    public async Task PutBlob_LargerThanTheLimit_413AndNothingStored()
    {
        var text = new string('x', (int)MasterFactory.MaxBundleBytes + 1);

        using var response = await PutAsync(_alice, Sha(text), text);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        BlobFiles().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("hashes[1]", """{"hashes":["0000000000000000000000000000000000000000000000000000000000000000","../../etc/passwd"]}""")]
    [InlineData("hashes", """{}""")]
    public async Task Missing_BadHash_400NamingIt(string field, string body)
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/blobs/missing", _alice, new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain(field);
    }

    [Fact]
    public async Task SubmitManifest_BlobsUploaded_RecordsTheManifestAndLeavesWorkToTheWorker()
    {
        await PutTextAsync(_alice, "print(1)");
        var job = await SubmitCreatedAsync(_alice, Manifest(File("train.py", "print(1)")));

        var folder = Path.Combine(_master.Factory.Shared.Path, "jobs", job.Id);
        Directory.Exists(Path.Combine(folder, "work")).ShouldBeFalse(); // built by the worker when the job starts
        var recorded = JsonSerializer.Deserialize<JobManifest>(System.IO.File.ReadAllText(Path.Combine(folder, JobManifest.FileName)), AtlasJson.Options)!;
        recorded.Scope.ShouldBe(BlobStore.Scope(new JobOwner("sub-alice", "alice")));
        recorded.Entries.Single().Path.ShouldBe("train.py");
        recorded.Limits!.MaxUnpackedBytes.ShouldBe(MasterFactory.MaxBundleBytes);
    }

    [Fact]
    public async Task SubmitManifest_BlobsUploaded_TheWorkFolderBuiltFromItHasTheFiles()
    {
        await PutTextAsync(_alice, "print(1)");
        await PutTextAsync(_alice, "#!/bin/sh\necho hi\n");
        var manifest = Manifest(
            File("train.py", "print(1)"),
            File("src/copy.py", "print(1)"),
            File("run.sh", "#!/bin/sh\necho hi\n", mode: 493),
            new ManifestEntry("empty", ManifestEntryType.Directory),
            new ManifestEntry("latest.py", ManifestEntryType.Symlink, Target: "train.py"));

        var job = await SubmitCreatedAsync(_alice, manifest);

        var work = await BuildWorkAsync(job.Id);
        System.IO.File.ReadAllText(Path.Combine(work, "train.py")).ShouldBe("print(1)");
        System.IO.File.ReadAllText(Path.Combine(work, "src", "copy.py")).ShouldBe("print(1)");
        System.IO.File.GetUnixFileMode(Path.Combine(work, "run.sh")).HasFlag(UnixFileMode.UserExecute).ShouldBeTrue();
        System.IO.File.GetUnixFileMode(Path.Combine(work, "train.py")).HasFlag(UnixFileMode.UserExecute).ShouldBeFalse();
        Directory.Exists(Path.Combine(work, "empty")).ShouldBeTrue();
        new FileInfo(Path.Combine(work, "latest.py")).LinkTarget.ShouldBe("train.py");
    }

    [Fact]
    public async Task SubmitManifest_JobWritesItsFile_TheBlobStaysIntact()
    {
        await PutTextAsync(_alice, "weights v1");
        var first = await SubmitCreatedAsync(_alice, Manifest(File("model.bin", "weights v1")));

        System.IO.File.WriteAllText(Path.Combine(await BuildWorkAsync(first.Id), "model.bin"), "overwritten by the job");
        var second = await SubmitCreatedAsync(_alice, Manifest(File("model.bin", "weights v1")));

        System.IO.File.ReadAllText(Path.Combine(await BuildWorkAsync(second.Id), "model.bin")).ShouldBe("weights v1");
    }

    [Fact]
    public async Task SubmitManifest_BlobOnlyAnotherUserHas_400NamingTheEntry()
    {
        await PutTextAsync(_bob, "bob's data");

        using var response = await SubmitAsync(_alice, Manifest(File("data.csv", "bob's data")));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("entry 'data.csv'");
        JobFolders().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("../escape.py", "'..' would leave the bundle")]
    [InlineData("a/../../escape.py", "'..' would leave the bundle")]
    [InlineData("/etc/passwd", "absolute paths are not allowed")]
    [InlineData("C:/Windows/x.py", "absolute paths are not allowed")]
    [InlineData("a\\b.py", "backslash")]
    public async Task SubmitManifest_UnsafePath_400NamingTheEntryAndNothingWritten(string path, string reason)
    {
        await PutTextAsync(_alice, "x");

        var problem = await RefusedAsync(Manifest(File(path, "x")));

        problem.ShouldContain(reason);
        problem.ShouldContain("manifest");
        JobFolders().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""{"path":"up","type":"symlink","target":"../../outside"}""", "points outside the bundle")]
    [InlineData("""{"path":"abs","type":"symlink","target":"/etc"}""", "points to an absolute path")]
    public async Task SubmitManifest_LinkOut_400NamingTheEntry(string entry, string reason)
    {
        var problem = await RefusedAsync($$"""{"entries":[{{entry}}]}""");

        problem.ShouldContain(reason);
        JobFolders().ShouldBeEmpty();
    }

    [Fact]
    public async Task SubmitManifest_PathUnderALinkOrAFile_400WhateverTheOrder()
    {
        await PutTextAsync(_alice, "x");

        var underLink = await RefusedAsync(Manifest(File("dir/x.py", "x"), new ManifestEntry("dir", ManifestEntryType.Symlink, Target: ".")));
        var underFile = await RefusedAsync(Manifest(File("a/x.py", "x"), File("a", "x")));

        underLink.ShouldContain("entry 'dir/x.py'");
        underFile.ShouldContain("entry 'a/x.py'");
        JobFolders().ShouldBeEmpty();
    }

    [Fact]
    public async Task SubmitManifest_DuplicatePath_400NamingIt()
    {
        await PutTextAsync(_alice, "x");
        await PutTextAsync(_alice, "y");

        var problem = await RefusedAsync(Manifest(File("twice.py", "x"), File("twice.py", "y")));

        problem.ShouldContain("entry 'twice.py': the path appears twice");
    }

    [Theory]
    [InlineData("""{"entries":[{"path":"a.py","sha256":"nothex"}]}""", "'sha256' must be 64 lower-case hex digits")]
    [InlineData("""{"entries":[{"path":"a.py","type":"hardlink"}]}""", "not valid JSON")]
    [InlineData("""{"entries":"no"}""", "not valid JSON")]
    [InlineData("""{"entries":null}""", "has no 'entries'")]
    public async Task SubmitManifest_Malformed_400SayingWhy(string manifest, string reason)
    {
        (await RefusedAsync(manifest)).ShouldContain(reason);
    }

    [Fact]
    public async Task SubmitManifest_FilesAddUpPastTheLimit_413()
    {
        var half = (int)MasterFactory.MaxBundleBytes / 2 + 1;
        await PutTextAsync(_alice, new string('a', half));
        await PutTextAsync(_alice, new string('b', half));

        using var response = await SubmitAsync(_alice, Manifest(File("a", new string('a', half)), File("b", new string('b', half))));

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("entry 'b': the files add up to more than the limit");
        JobFolders().ShouldBeEmpty();
    }

    [Fact]
    public async Task SubmitManifest_MoreEntriesThanTheLimit_413()
    {
        using var limited = _master.Factory.WithWebHostBuilder(b => b.UseSetting("Atlas:Master:MaxBundleEntries", "3"));
        using var client = limited.CreateClient();
        var entries = Enumerable.Range(0, 4).Select(i => new ManifestEntry($"d{i}", ManifestEntryType.Directory)).ToArray();

        using var response = await SubmitAsync(_alice, Manifest(entries), client);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("more than 3 entries");
    }

    [Fact]
    public async Task Collect_OldBlobs_KeepsEveryBlobAJobUsesAndRemovesTheRest()
    {
        var used = await PutTextAsync(_alice, "used by a job");
        var usedByBob = await PutTextAsync(_bob, "used by bob's job");
        var unused = await PutTextAsync(_alice, "no job names it");
        var recent = await PutTextAsync(_alice, "uploaded just now");
        await SubmitCreatedAsync(_alice, Manifest(File("a.txt", "used by a job")));
        await SubmitCreatedAsync(_bob, Manifest(File("b.txt", "used by bob's job")));
        var past = DateTime.UtcNow - TimeSpan.FromSeconds(_master.Factory.Services.GetRequiredService<IOptions<Atlas.Master.Options.MasterOptions>>().Value.BlobGraceSeconds + 60);
        foreach (var file in BlobFiles().Where(f => !f.EndsWith(recent, StringComparison.Ordinal)))
        {
            System.IO.File.SetLastWriteTimeUtc(file, past);
        }

        var removed = await _master.Factory.Services.GetRequiredService<BlobCollector>().CollectAsync(Ct);

        removed.ShouldBe(1);
        var left = BlobFiles().Select(Path.GetFileName).ToList();
        left.ShouldContain(used);
        left.ShouldContain(usedByBob);
        left.ShouldContain(recent);
        left.ShouldNotContain(unused);
    }

    [Fact]
    public async Task Collect_JobRemoved_ItsBlobsGoAfterTheGracePeriod()
    {
        var hash = await PutTextAsync(_alice, "short-lived");
        var job = await SubmitCreatedAsync(_alice, Manifest(File("a.txt", "short-lived")));
        (await SendAsync(HttpMethod.Post, $"/api/v1/jobs/{job.Id}/stop", _alice)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await SendAsync(HttpMethod.Delete, $"/api/v1/jobs/{job.Id}", _alice)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var collector = _master.Factory.Services.GetRequiredService<BlobCollector>();

        (await collector.CollectAsync(Ct)).ShouldBe(0); // within the grace period
        System.IO.File.SetLastWriteTimeUtc(BlobFiles().Single(), DateTime.UtcNow - TimeSpan.FromDays(2));
        (await collector.CollectAsync(Ct)).ShouldBe(1);

        (await MissingAsync(_alice, hash)).ShouldBe([hash]);
    }

    [Fact]
    public async Task Collect_OldBlobReportedPresent_KeptForTheSubmitThatFollows()
    {
        var hash = await PutTextAsync(_alice, "old but about to be named");
        System.IO.File.SetLastWriteTimeUtc(BlobFiles().Single(), DateTime.UtcNow - TimeSpan.FromDays(2));

        (await MissingAsync(_alice, hash)).ShouldBeEmpty();
        var removed = await _master.Factory.Services.GetRequiredService<BlobCollector>().CollectAsync(Ct);

        removed.ShouldBe(0);
        await SubmitCreatedAsync(_alice, Manifest(File("a.txt", "old but about to be named")));
    }

    [Fact]
    public async Task Start_BlobGraceTooShort_FailsNamingIt()
    {
        using var configured = _master.Factory.WithWebHostBuilder(b => b.UseSetting("Atlas:Master:BlobGraceSeconds", "5"));

        var error = Should.Throw<OptionsValidationException>(() => configured.Server);

        error.Message.ShouldContain("Atlas:Master:BlobGraceSeconds must be at least 60");
    }

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static ManifestEntry File(string path, string text, int mode = 420) =>
        new(path, ManifestEntryType.File, Sha(text), Encoding.UTF8.GetByteCount(text), mode);

    private static string Manifest(params ManifestEntry[] entries) =>
        JsonSerializer.Serialize(new BundleManifest { Entries = entries }, AtlasJson.Options);

    private IEnumerable<string> BlobFiles()
    {
        var root = Path.Combine(_master.Factory.Shared.Path, "blobs");
        return Directory.Exists(root) ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(Path.GetDirectoryName(f)) != "tmp").ToList() : [];
    }

    // What the worker does when the job starts.
    private async Task<string> BuildWorkAsync(string id)
    {
        var paths = new JobPaths(_master.Factory.Shared.Path);
        (await WorkFolder.PrepareAsync(paths, id, 2, Ct)).ShouldBeTrue();
        return paths.Work(id);
    }

    private IEnumerable<string> JobFolders()
    {
        var root = Path.Combine(_master.Factory.Shared.Path, "jobs");
        return Directory.Exists(root) ? Directory.EnumerateDirectories(root) : [];
    }

    private async Task<string> PutTextAsync(string token, string text)
    {
        var hash = Sha(text);
        using var response = await PutAsync(token, hash, text);
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync(Ct));
        return hash;
    }

    private Task<HttpResponseMessage> PutAsync(string token, string hash, string text) =>
        SendAsync(HttpMethod.Put, $"/api/v1/blobs/{hash}", token, new ByteArrayContent(Encoding.UTF8.GetBytes(text)));

    private async Task<IReadOnlyList<string>> MissingAsync(string token, params string[] hashes)
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/blobs/missing", token, JsonContent.Create(new MissingBlobsRequest(hashes), options: AtlasJson.Options));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<MissingBlobsView>(AtlasJson.Options, Ct))!.Missing;
    }

    private Task<HttpResponseMessage> SubmitAsync(string token, string manifest, HttpClient? client = null)
    {
        var content = new MultipartFormDataContent
        {
            { new StringContent("""{"command":["true"]}""", Encoding.UTF8, "application/json"), "spec" },
            { new StringContent(manifest, Encoding.UTF8, "application/json"), "manifest", "manifest.json" },
        };
        return SendAsync(HttpMethod.Post, "/api/v1/jobs", token, content, client);
    }

    private async Task<JobView> SubmitCreatedAsync(string token, string manifest)
    {
        using var response = await SubmitAsync(token, manifest);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JobView>(AtlasJson.Options, Ct))!;
    }

    private async Task<string> RefusedAsync(string manifest)
    {
        using var response = await SubmitAsync(_alice, manifest);
        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        return text;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string token, HttpContent? content = null, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await (client ?? _client).SendAsync(request, Ct);
    }
}
