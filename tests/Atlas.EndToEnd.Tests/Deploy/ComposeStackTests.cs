using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.Net;
using Atlas.Testing;

namespace Atlas.EndToEnd.Tests.Deploy;

/// <summary>
/// The published compose file on the local Docker Engine: <c>docker-compose up</c> builds the
/// project images and starts the stack; the real CLI submits a job through the gateway, follows its
/// logs live and sees it succeed; <c>docker-compose down -v</c> leaves no container, network or
/// volume. Nothing can be pulled here, so the images named by the compose file are replaced
/// through its own variables with local builds (Atlas.Testing/Images/build-test-images.sh, cached
/// by tag): a base with this machine's .NET runtime instead of mcr.microsoft.com/dotnet/aspnet,
/// Redis and the Aspire dashboard from this machine. The project images take the already built
/// binaries (bin/Debug) instead of build-binaries.sh's dotnet publish, to keep CI short.
/// </summary>
public sealed class ComposeStackTests : IDisposable
{
    private const string Busybox = "atlas-test/busybox:latest";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly TempFolder _output = new("atlas-compose");
    private readonly TempFolder _home = new("atlas-home");
    private readonly TempFolder _project = new("atlas-project");

    public void Dispose()
    {
        _output.Dispose();
        _home.Dispose();
        _project.Dispose();
    }

    [Fact]
    public async Task ComposeUp_CliJob_SucceedsWithLiveLogsAndDownLeavesNothing()
    {
        var compose = RedisServer.FindOnPath("docker-compose") ?? throw TestEnvironment.Missing("docker-compose");
        if (!await TestDocker.HasImageAsync(Busybox, Ct))
        {
            throw TestEnvironment.Missing($"the Docker Engine with the image {Busybox}");
        }
        var built = typeof(ComposeStackTests).Assembly;
        var repo = AtlasBuildInfo.RepoRoot(built);
        var images = await RunAsync("sh", repo, null, Path.Combine(repo, "tests", "Atlas.Testing", "Images", "build-test-images.sh"), Busybox, DashboardTools());
        var (baseImage, redisImage, dashboardImage) = (images[0], images[1], images[2]);

        await AppHostPublish.RunAsync(built, "publish-compose", _output.Path, null, Ct);
        var folder = _output.Combine("compose");
        // Every project the published file builds an image of (PROJECT: …), whatever the model holds.
        var projects = Regex.Matches(File.ReadAllText(Path.Combine(folder, "docker-compose.yaml")), @"PROJECT: ""?(Atlas\.[A-Za-z.]+)""?")
            .Select(m => m.Groups[1].Value).Distinct();
        foreach (var project in projects)
        {
            CopyFolder(Path.GetDirectoryName(AtlasBuildInfo.ProjectDll(built, project))!, Path.Combine(folder, "bin", project));
        }
        var gatewayPort = LoopbackPorts.Next();
        var stack = "atlas-test-" + Guid.NewGuid().ToString("N")[..8];
        var environment = new Dictionary<string, string>
        {
            ["ATLAS_BASE_IMAGE"] = baseImage,
            ["ATLAS_IMAGE_REDIS"] = redisImage,
            ["ATLAS_IMAGE_TELEMETRY"] = dashboardImage,
            ["ATLAS_PORT_GATEWAY"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["ATLAS_PORT_TELEMETRY"] = LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture),
            ["COMPOSE_PROJECT_NAME"] = stack,
        };
        try
        {
            var clock = Stopwatch.StartNew();
            await RunAsync(compose, folder, environment, "up", "-d", "--build");
            var gateway = $"http://127.0.0.1:{gatewayPort}";
            await WaitHealthyAsync(gateway, () => RunAsync(compose, folder, environment, "logs", "--no-color", "--tail", "40"));

            File.WriteAllText(Path.Combine(_project.Path, "run.sh"), "echo first\nsleep 3\necho second\n");
            var cli = new AtlasCli(gateway, _home.Path);
            using var http = new HttpClient { BaseAddress = new Uri(gateway), Timeout = TimeSpan.FromSeconds(30) };
            var submit = await cli.RunAsync("submit", "--project", "compose", _project.Path, "--", "sh", "run.sh");
            submit.ExitCode.ShouldBe(0, submit.Stderr);
            var id = submit.Stdout.Trim();

            JobState? stateAtFirstLine = null;
            var logs = await cli.RunAsync(async line =>
            {
                if (line == "first" && stateAtFirstLine is null)
                {
                    // Read over HTTP, not by starting the CLI: on a loaded machine a second CLI process
                    // can take longer to start than the job's remaining seconds.
                    stateAtFirstLine = (await GatewayJobs.GetAsync(http, id, Ct)).State;
                }
            }, "logs", "-f", id);

            logs.ExitCode.ShouldBe(0, logs.Stderr);
            logs.Stdout.ShouldBe("first\nsecond\n");
            stateAtFirstLine.ShouldBe(JobState.Running, "the first line came while the job still ran: followed live");
            Status(await cli.RunAsync("status", id, "--output", "json")).State.ShouldBe(JobState.Succeeded);
            TestContext.Current.TestOutputHelper?.WriteLine($"docker-compose up to the first job succeeded (a 3 s job): {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            await RunAsync(compose, folder, environment, "down", "-v", "--remove-orphans");
        }

        (await TestDocker.ContainersAsync("com.docker.compose.project", stack, Ct)).ShouldBeEmpty();
        var (networks, volumes) = await TestDocker.NetworksAndVolumesAsync("com.docker.compose.project", stack, Ct);
        networks.ShouldBeEmpty();
        volumes.ShouldBeEmpty();
    }

    private static JobView Status(AtlasCli.Result status)
    {
        status.ExitCode.ShouldBe(0, status.Stderr);
        return JsonSerializer.Deserialize<JobView>(status.Stdout, AtlasJson.Options)!;
    }

    private static async Task WaitHealthyAsync(string gateway, Func<Task<string[]>> logs)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            try
            {
                using var health = await http.GetAsync(new Uri(gateway + "/health"), Ct);
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!Ct.IsCancellationRequested)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("the compose stack's gateway was not healthy within 120 s:\n" + string.Join('\n', await logs()));
            }
            await Task.Delay(500, Ct);
        }
    }

    private static string DashboardTools()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var sdk = Path.Combine(packages, "aspire.dashboard.sdk.linux-x64");
        var version = Directory.Exists(sdk) ? Directory.GetDirectories(sdk).Order(StringComparer.Ordinal).LastOrDefault() : null;
        return version is null ? throw TestEnvironment.Missing("the restored aspire.dashboard.sdk.linux-x64 package") : Path.Combine(version, "tools");
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    private static async Task<string[]> RunAsync(string tool, string folder, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        var output = await stdout;
        process.ExitCode.ShouldBe(0, $"{tool} {string.Join(' ', args)}:\n{output}{await stderr}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
