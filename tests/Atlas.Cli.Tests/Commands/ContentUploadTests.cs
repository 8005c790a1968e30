extern alias master;

using System.Net.Http.Json;
using Atlas.Core;
using Atlas.Core.Bundles;
using Atlas.Core.Jobs;
using Atlas.Core.SharedVolume;
using Atlas.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Atlas.Cli.Tests.Commands;

/// <summary>
/// The real CLI root command against the real master on a loopback port (Kestrel, a real
/// redis-server): <c>atlas submit</c> uploads only the blobs the cluster lacks, and the job's
/// folder is built from them (as the worker builds it when the job starts). Every request the CLI sends is counted on its way out.
/// </summary>
public sealed class ContentUploadTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private readonly TempFolder _home = new("atlas-home");
    private readonly TempFolder _shared = new("atlas-shared");
    private readonly TempFolder _project = new("atlas-project");
    private WebApplicationFactory<master::Program> _master = null!;
    private HttpClient _api = null!;
    private readonly List<string> _requests = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _master = new WebApplicationFactory<master::Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:redis", redis.ConnectionString);
            b.UseSetting("Atlas:SharedRoot", _shared.Path);
        });
        _master.UseKestrel(0);
        _master.StartServer();
        _api = _master.CreateClient();
        Write("train.py", "print('train')");
        Write("src/model.py", "class Net: pass");
        Write("src/same-as-train.py", "print('train')");
        Write("run.sh", "#!/bin/sh\n");
        File.SetUnixFileMode(_project.Combine("run.sh"), (UnixFileMode)0b111_101_101);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _master.DisposeAsync();
        _home.Dispose();
        _shared.Dispose();
        _project.Dispose();
    }

    [Fact]
    public async Task Submit_FirstTime_UploadsEachDistinctFileOnceAndTheJobGetsTheFolder()
    {
        var (code, stdout, stderr) = await RunAsync("submit", _project.Path, "--", "sh", "run.sh");

        code.ShouldBe(0, stderr);
        Puts().Count.ShouldBe(3); // four files, two with the same bytes
        var work = Path.Combine(_shared.Path, "jobs", stdout.Trim(), "work");
        File.Exists(Path.Combine(work, "..", "manifest.json")).ShouldBeTrue();
        File.Exists(Path.Combine(work, "..", "bundle.tar.gz")).ShouldBeFalse();
        Directory.Exists(work).ShouldBeFalse(); // the worker builds it when the job starts
        await BuildWorkAsync(stdout.Trim());
        File.ReadAllText(Path.Combine(work, "train.py")).ShouldBe("print('train')");
        File.ReadAllText(Path.Combine(work, "src", "same-as-train.py")).ShouldBe("print('train')");
        File.ReadAllText(Path.Combine(work, "src", "model.py")).ShouldBe("class Net: pass");
        File.GetUnixFileMode(Path.Combine(work, "run.sh")).HasFlag(UnixFileMode.UserExecute).ShouldBeTrue();
        Directory.GetFiles(Path.Combine(_home.Path, ".atlas", "cache", "hashes")).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Submit_Unchanged_UploadsNothing()
    {
        (await RunAsync("submit", _project.Path, "--", "true")).Code.ShouldBe(0);
        _requests.Clear();

        var (code, stdout, stderr) = await RunAsync("submit", _project.Path, "--", "true");

        code.ShouldBe(0, stderr);
        Puts().ShouldBeEmpty();
        File.ReadAllText(Path.Combine(await BuildWorkAsync(stdout.Trim()), "src", "model.py")).ShouldBe("class Net: pass");
    }

    [Fact]
    public async Task Submit_OneFileChanged_UploadsThatFileOnly()
    {
        (await RunAsync("submit", _project.Path, "--", "true")).Code.ShouldBe(0);
        _requests.Clear();
        Write("src/model.py", "class Net: changed = True");

        var (code, stdout, stderr) = await RunAsync("submit", _project.Path, "--", "true");

        code.ShouldBe(0, stderr);
        Puts().ShouldHaveSingleItem();
        File.ReadAllText(Path.Combine(await BuildWorkAsync(stdout.Trim()), "src", "model.py")).ShouldBe("class Net: changed = True");
    }

    [Fact]
    public async Task Submit_StderrIsTerminal_ProgressOnTheFirstUploadOnly()
    {
        var first = await RunAsync("submit", _project.Path, "--", "true", terminal: true);
        var again = await RunAsync("submit", _project.Path, "--", "true", terminal: true);

        first.Code.ShouldBe(0, first.Stderr);
        first.Stderr.ShouldContain("uploading 4 files");
        first.Stderr.ShouldContain("100%");
        again.Code.ShouldBe(0, again.Stderr);
        again.Stderr.ShouldBeEmpty(); // nothing to upload, nothing drawn
        again.Stdout.Trim().Length.ShouldBe(first.Stdout.Trim().Length);
    }

    [Fact]
    public async Task Submit_BlobRemovedFromTheCluster_UploadedAgain()
    {
        (await RunAsync("submit", _project.Path, "--", "true")).Code.ShouldBe(0);
        foreach (var blob in Directory.GetFiles(Path.Combine(_shared.Path, "blobs"), "*", SearchOption.AllDirectories))
        {
            File.Delete(blob);
        }
        _requests.Clear();

        var (code, stdout, stderr) = await RunAsync("submit", _project.Path, "--", "true");

        code.ShouldBe(0, stderr);
        Puts().Count.ShouldBe(3);
        var job = await _api.GetFromJsonAsync<JobView>($"/api/v1/jobs/{stdout.Trim()}", AtlasJson.Options, Ct);
        job!.State.ShouldBe(JobState.Queued);
    }

    // What the worker does when the job starts: builds work/ from manifest.json and the blobs.
    private async Task<string> BuildWorkAsync(string id)
    {
        var paths = new JobPaths(_shared.Path);
        (await WorkFolder.PrepareAsync(paths, id, 2, Ct)).ShouldBeTrue();
        return paths.Work(id);
    }

    private List<string> Puts()
    {
        lock (_requests)
        {
            return [.. _requests.Where(r => r.StartsWith("PUT /api/v1/blobs/", StringComparison.Ordinal))];
        }
    }

    private void Write(string name, string text)
    {
        var path = _project.Combine(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args) => await RunAsync(args, terminal: false);

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string a, string b, string c, string d, bool terminal) =>
        await RunAsync([a, b, c, d], terminal);

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string[] args, bool terminal)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var url = _api.BaseAddress!.ToString();
        var context = new CliContext(stdout, stderr, name => name == "ATLAS_URL" ? url : null, _home.Path)
        {
            Handler = new CountingHandler(_requests),
            ErrorIsTerminal = terminal,
        };
        var code = await AtlasCli.RunAsync(args, context);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private sealed class CountingHandler(List<string> requests) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (requests)
            {
                requests.Add($"{request.Method} {request.RequestUri!.AbsolutePath}");
            }
            return base.SendAsync(request, cancellationToken);
        }
    }
}
