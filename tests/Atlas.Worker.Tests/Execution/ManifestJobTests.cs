using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Bundles;
using Atlas.Core.Jobs;
using Atlas.Core.SharedVolume;
using Atlas.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;

namespace Atlas.Worker.Tests.Execution;

/// <summary>
/// Jobs submitted as a manifest on the real worker host (process runtime) and a real
/// redis-server: the job folder holds what the master leaves there (<c>manifest.json</c>, no
/// <c>work/</c>) and the blobs lie where the master's blob store puts them; the worker builds
/// <c>work/</c> while the job is starting. The test plays the master's part through the same store calls.
/// </summary>
public sealed class ManifestJobTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string Node = "manifest-node";
    private const string Scope = "0123456789abcdef0123456789abcdef";
    private readonly TempFolder _shared = new("atlas-shared");
    private readonly Dictionary<string, string> _texts = [];
    private JobPaths _paths = null!;
    private WebApplicationFactory<Program> _worker = null!;
    private ConnectionMultiplexer _redis = null!;
    private JobStores _store = null!;
    private long _epoch;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _paths = new JobPaths(_shared.Path);
        _redis = await redis.ConnectEmptyAsync();
        _store = new JobStores(_redis);
        _epoch = await _store.Master.LeadAsync("test-master", TimeSpan.FromMinutes(5), Ct);
        _worker = WorkerHost.Create(redis.ConnectionString, _shared.Path, Node, drainGraceSeconds: "4", heartbeatSeconds: "0.5");
        _ = _worker.Server; // starts the host: the node registers
    }

    public async ValueTask DisposeAsync()
    {
        await _worker.DisposeAsync();
        await _redis.DisposeAsync();
        _shared.Dispose();
    }

    [Fact]
    public async Task ManifestJob_WorkNotBuilt_WorkerBuildsItAndTheJobSeesItsFiles()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AtlasTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var id = await SubmitAsync("cat src/model.py; ./run.sh; ls -a",
            File("src/model.py", "class Net: pass\n"), File("run.sh", "#!/bin/sh\necho ran\n", mode: 493), new ManifestEntry("empty", ManifestEntryType.Directory));
        Directory.Exists(_paths.Work(id)).ShouldBeFalse();

        var job = await RunUntilEndedAsync(id);

        job.State.ShouldBe(JobState.Succeeded, job.Reason);
        var stdout = System.IO.File.ReadAllText(Path.Combine(_paths.Logs(id), "stdout.log"));
        stdout.ShouldStartWith("class Net: pass\nran\n");
        stdout.ShouldContain(Atlas.Core.Tracking.JobHelper.PythonFileName); // put in after the build
        stdout.ShouldContain("empty");
        System.IO.File.GetUnixFileMode(Path.Combine(_paths.Work(id), "src", "model.py")).HasFlag(UnixFileMode.UserExecute).ShouldBeFalse();
        Directory.EnumerateDirectories(_paths.Job(id), WorkFolder.PartialPrefix + "*").ShouldBeEmpty();
        var prepare = spans.Single(a => a.OperationName == "job.prepare" && (string?)a.GetTagItem(AtlasTelemetry.JobIdTag) == id);
        prepare.GetTagItem("atlas.job.work_built").ShouldBe(true);
        prepare.GetTagItem(AtlasTelemetry.NodeTag).ShouldBe(Node);
    }

    [Fact]
    public async Task ManifestJob_BlobRemovedBeforeStart_FailsNamingTheFile()
    {
        var model = File("src/model.py", "class Net: pass\n");
        var id = await SubmitAsync("true", File("train.py", "print(1)\n"), model);
        System.IO.File.Delete(_paths.Blob(Scope, model.Sha256!));

        var job = await RunUntilEndedAsync(id);

        job.State.ShouldBe(JobState.Failed);
        job.Reason.ShouldNotBeNull().ShouldContain("entry 'src/model.py'");
        job.Reason.ShouldContain("could not be prepared");
        Directory.Exists(_paths.Work(id)).ShouldBeFalse();
        Directory.EnumerateDirectories(_paths.Job(id), WorkFolder.PartialPrefix + "*").ShouldBeEmpty();
    }

    [Fact]
    public async Task ManifestJob_HalfBuiltFolderLeftByACrash_NextAttemptBuildsItWhole()
    {
        var id = await SubmitAsync("cat a.txt b.txt", File("a.txt", "a\n"), File("b.txt", "b\n"));
        var leftover = Path.Combine(_paths.Job(id), WorkFolder.PartialPrefix + "0badc0de");
        Directory.CreateDirectory(leftover);
        System.IO.File.WriteAllText(Path.Combine(leftover, "a.txt"), "a\n"); // b.txt never came

        var job = await RunUntilEndedAsync(id);

        job.State.ShouldBe(JobState.Succeeded, job.Reason);
        System.IO.File.ReadAllText(Path.Combine(_paths.Logs(id), "stdout.log")).ShouldBe("a\nb\n");
        Directory.Exists(leftover).ShouldBeFalse();
    }

    [Fact]
    public async Task ManifestJob_RetriedAfterItRan_SecondAttemptKeepsTheFolderAsTheFirstLeftIt()
    {
        var id = await SubmitAsync("if grep -q changed data.txt; then exit 0; fi; echo changed > data.txt; exit 137", new JobSpec { Retries = 1 }, File("data.txt", "original\n"));

        var job = await RunUntilEndedAsync(id);

        job.State.ShouldBe(JobState.Succeeded, job.Reason);
        job.Attempt.ShouldBe(2);
        System.IO.File.ReadAllText(_paths.Blob(Scope, Sha("original\n"))).ShouldBe("original\n");
    }

    [Fact]
    public async Task ManifestJob_ManifestChangedToLeaveTheFolder_FailsAtStartAndWritesNothing()
    {
        var id = await SubmitAsync("true", File("../escape.txt", "x\n"));

        var job = await RunUntilEndedAsync(id);

        job.State.ShouldBe(JobState.Failed);
        job.Reason.ShouldNotBeNull().ShouldContain("'..' would leave the bundle");
        Directory.Exists(_paths.Work(id)).ShouldBeFalse();
        System.IO.File.Exists(Path.Combine(_paths.Job(id), "escape.txt")).ShouldBeFalse();
    }

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private ManifestEntry File(string path, string text, int mode = 420)
    {
        _texts[Sha(text)] = text;
        return new(path, ManifestEntryType.File, Sha(text), Encoding.UTF8.GetByteCount(text), mode);
    }

    private Task<string> SubmitAsync(string script, params ManifestEntry[] entries) => SubmitAsync(script, new JobSpec(), entries);

    /// <summary>What the master leaves for a manifest submit: the blobs (mode 0644), manifest.json, no work/.</summary>
    private async Task<string> SubmitAsync(string script, JobSpec spec, params ManifestEntry[] entries)
    {
        foreach (var entry in entries.Where(e => e.Type == ManifestEntryType.File))
        {
            var blob = _paths.Blob(Scope, entry.Sha256!);
            Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
            await System.IO.File.WriteAllTextAsync(blob, _texts[entry.Sha256!], Ct);
            System.IO.File.SetUnixFileMode(blob, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        var id = JobId.New(DateTimeOffset.UtcNow);
        Directory.CreateDirectory(_paths.Job(id));
        await System.IO.File.WriteAllTextAsync(_paths.Manifest(id), JsonSerializer.Serialize(new JobManifest(Scope, entries, BundleLimits.Default), AtlasJson.Options), Ct);
        await _store.Master.SubmitAsync(id, spec with { Command = ["/bin/sh", "-c", script] }, JobOwner.Local, null, null, Ct);
        return id;
    }

    /// <summary>Plays the master: places the job whenever it waits, until it ends.</summary>
    private async Task<JobView> RunUntilEndedAsync(string id)
    {
        JobView? job = null;
        await JobWaits.WaitForAsync(async () =>
        {
            await _store.Master.PlaceAsync(10, TimeSpan.FromSeconds(15), _epoch, Ct);
            job = (await _store.Reader.GetAsync(id, Ct))!.View;
            return JobStateMachine.IsTerminal(job.State);
        }, Ct);
        return job!;
    }
}
