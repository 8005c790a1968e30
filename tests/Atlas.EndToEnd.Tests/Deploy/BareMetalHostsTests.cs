using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Testing;

namespace Atlas.EndToEnd.Tests.Deploy;

/// <summary>
/// The published bare-metal bundles on three hosts in network namespaces: the master host runs
/// Redis, the master and the gateway, two worker hosts run a worker each. Every service starts with
/// exactly its unit's ExecStart and EnvironmentFile lines, after the placeholders are filled in as
/// install.sh does; only the install paths are moved into the test's folders (/etc/atlas,
/// /opt/atlas to the built binaries, /var/lib/atlas). The shared root is one folder seen by every
/// host at the same path: this kernel has no nfsd, so no real NFS export (the bundles' fstab line
/// is what a real host mounts). Jobs run on both worker hosts, live logs come through the gateway
/// from the worker host's HOST_ADDRESS, and a worker host whose link goes down has its job queued
/// again onto the other.
/// </summary>
public sealed class BareMetalHostsTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TempFolder _root = new("atlas-baremetal");
    private readonly TempFolder _home = new("atlas-home");
    private readonly TempFolder _project = new("atlas-project");
    private readonly List<Process> _services = [];
    private readonly StringBuilder _log = new();

    public void Dispose()
    {
        foreach (var service in _services)
        {
            try
            {
                service.Kill(entireProcessTree: true);
                service.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }
            service.Dispose();
        }
        _root.Dispose();
        _home.Dispose();
        _project.Dispose();
    }

    [Fact]
    public async Task ThreeHosts_ServicesFromTheirUnits_JobsOnBothWorkersLiveLogsAndLostWorkerRequeued()
    {
        using var hosts = await NetnsHosts.CreateAsync(3, Ct);
        var built = typeof(BareMetalHostsTests).Assembly;
        await AppHostPublish.RunAsync(built, "publish-baremetal", _root.Combine("out"), null, Ct);
        var bundles = _root.Combine("out", "baremetal");
        var shared = Directory.CreateDirectory(_root.Combine("shared")).FullName;
        var master = hosts.Address(0);

        foreach (var unit in new[] { "atlas-redis.service", "atlas-master.service", "atlas-gateway.service" })
        {
            StartUnit(hosts, 0, Path.Combine(bundles, "master"), unit, master, "host-0", "0", shared, built);
        }
        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= 2; i++)
        {
            StartUnit(hosts, i, Path.Combine(bundles, "worker"), "atlas-worker.service", master, $"host-{i}", "1", shared, built);
        }
        var gateway = $"http://{master}:5558";
        using var http = new HttpClient { BaseAddress = new Uri(gateway), Timeout = TimeSpan.FromSeconds(3) };
        await WaitAsync(async () => await GatewayNodes.CountReadyAsync(http, Ct) == 2, "two worker hosts ready", TimeSpan.FromSeconds(90));
        var cli = new AtlasCli(gateway, _home.Path);

        // One slot per worker host: a long job, then a short one, take both hosts.
        File.WriteAllText(_project.Combine("run.sh"), "echo started\nsleep \"$1\"\necho done\n");
        var longJob = await SubmitAsync(cli, "40");
        var first = await WaitForAsync(cli, longJob, j => j.State == JobState.Running);
        var shortJob = await SubmitAsync(cli, "6");
        var second = await WaitForAsync(cli, shortJob, j => j.State == JobState.Running);
        TestContext.Current.TestOutputHelper?.WriteLine($"jobs running on both worker hosts {clock.Elapsed.TotalSeconds:F1} s after the workers started");
        new[] { first.Node, second.Node }.Order().ShouldBe(["host-1", "host-2"]);

        // Live logs of the short job, through the gateway on the master host, from its worker host.
        JobState? stateAtFirstLine = null;
        var logs = await cli.RunAsync(async line =>
        {
            if (line == "started" && stateAtFirstLine is null)
            {
                // Read over HTTP, not by starting the CLI: on a loaded machine a second CLI process
                // can take longer to start than the job's remaining seconds.
                stateAtFirstLine = (await GatewayJobs.GetAsync(http, shortJob, Ct)).State;
            }
        }, "logs", "-f", shortJob);
        logs.Stdout.ShouldBe("started\ndone\n", logs.Stderr);
        stateAtFirstLine.ShouldBe(JobState.Running);

        // The long job's host loses its link: the job is lost and runs again on the other host.
        var lostHost = first.Node == "host-1" ? 1 : 2;
        await hosts.LinkDownAsync(lostHost, Ct);
        var requeued = await WaitForAsync(cli, longJob, j => j.Attempt == 2 && j.State == JobState.Running, TimeSpan.FromSeconds(90));
        requeued.Node.ShouldBe(second.Node);
        requeued.History.Select(h => h.State).ShouldContain(JobState.Lost);
    }

    private void StartUnit(NetnsHosts hosts, int host, string bundle, string unitName, string masterHost, string nodeName, string numWorkers, string shared, System.Reflection.Assembly built)
    {
        var installed = Directory.CreateDirectory(_root.Combine("hosts", nodeName)).FullName;
        Directory.CreateDirectory(Path.Combine(installed, "var", "redis"));
        var paths = new List<(string From, string To)>
        {
            ("/etc/atlas", Path.Combine(installed, "etc")),
            ("/var/lib/atlas", Path.Combine(installed, "var")),
            ("/atlas/shared", shared),
        };
        foreach (var project in new[] { "Atlas.Master", "Atlas.Worker", "Atlas.Gateway" })
        {
            paths.Insert(0, ($"/opt/atlas/{project}", Path.GetDirectoryName(AtlasBuildInfo.ProjectDll(built, project))!));
        }
        string Install(string text) => paths.Aggregate(
            text.Replace("@MASTER_HOST@", masterHost, StringComparison.Ordinal).Replace("@NODE_HOST@", hosts.Address(host), StringComparison.Ordinal)
                .Replace("@NODE_NAME@", nodeName, StringComparison.Ordinal).Replace("@NUM_WORKERS@", numWorkers, StringComparison.Ordinal),
            (t, p) => t.Replace(p.From, p.To, StringComparison.Ordinal));

        // What install.sh does: env/* to /etc/atlas, secrets/* to /etc/atlas/secrets, placeholders filled.
        foreach (var (folder, target) in new[] { ("env", "etc"), ("secrets", Path.Combine("etc", "secrets")) })
        {
            foreach (var file in Directory.Exists(Path.Combine(bundle, folder)) ? Directory.GetFiles(Path.Combine(bundle, folder)) : [])
            {
                Directory.CreateDirectory(Path.Combine(installed, target));
                File.WriteAllText(Path.Combine(installed, target, Path.GetFileName(file)), Install(File.ReadAllText(file)));
            }
        }
        var unit = File.ReadAllLines(Path.Combine(bundle, "units", unitName));
        var execStart = unit.Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..];
        var environment = new Dictionary<string, string>();
        foreach (var file in unit.Where(l => l.StartsWith("EnvironmentFile=", StringComparison.Ordinal)).Select(l => Install(l["EnvironmentFile=".Length..])))
        {
            foreach (var line in File.ReadAllLines(file).Where(l => l.Length > 0 && l[0] != '#'))
            {
                environment[line[..line.IndexOf('=')]] = line[(line.IndexOf('=') + 1)..];
            }
        }
        var name = $"{nodeName}/{unitName}";
        _services.Add(hosts.Start(host, Install(execStart).Split(' '), environment, line => { lock (_log) { _log.Append(name).Append(": ").AppendLine(line); } }));
    }

    private async Task<string> SubmitAsync(AtlasCli cli, string seconds)
    {
        var submit = await cli.RunAsync("submit", "--project", "baremetal", _project.Path, "--", "sh", "run.sh", seconds);
        submit.ExitCode.ShouldBe(0, submit.Stderr);
        return submit.Stdout.Trim();
    }

    private static async Task<JobView> StatusAsync(AtlasCli cli, string id)
    {
        var status = await cli.RunAsync("status", id, "--output", "json");
        status.ExitCode.ShouldBe(0, status.Stderr);
        return JsonSerializer.Deserialize<JobView>(status.Stdout, AtlasJson.Options)!;
    }

    private async Task<JobView> WaitForAsync(AtlasCli cli, string id, Func<JobView, bool> condition, TimeSpan? within = null)
    {
        JobView? job = null;
        await WaitAsync(async () => condition(job = await StatusAsync(cli, id)), $"job {id}", within ?? TimeSpan.FromSeconds(60));
        return job!;
    }

    private async Task WaitAsync(Func<Task<bool>> done, string what, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await done())
        {
            if (DateTime.UtcNow > deadline)
            {
                string log;
                lock (_log)
                {
                    log = _log.ToString();
                }
                throw new TimeoutException($"{what}: not within {within.TotalSeconds} s. Services:\n{log[Math.Max(0, log.Length - 8000)..]}");
            }
            await Task.Delay(300, Ct);
        }
    }
}
