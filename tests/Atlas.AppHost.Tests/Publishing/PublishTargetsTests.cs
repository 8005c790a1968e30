using System.Diagnostics;
using Atlas.Testing;

namespace Atlas.AppHost.Tests.Publishing;

/// <summary>
/// The publish-compose and publish-baremetal steps, run as a user runs them: deterministic output,
/// secrets generated once into files of mode 0600 and nowhere else, Redis protected, a compose file
/// that docker-compose accepts, units that systemd-analyze verifies.
/// </summary>
public sealed class PublishTargetsTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string> GivenSecrets = new()
    {
        ["Parameters__redis-password"] = "givenRedisPassword0123456789",
        ["Parameters__keycloak-admin-password"] = "givenKeycloakAdmin0123456789",
        ["Parameters__telemetry-otlp-key"] = "givenOtlpKey0123456789abcdef",
        ["Parameters__telemetry-token"] = "givenDashboardToken0123456789",
    };

    private readonly TempFolder _output = new("atlas-publish");

    public void Dispose() => _output.Dispose();

    [Fact]
    public async Task Publish_TwoRunsSameParameters_ByteIdenticalFilesAndModes()
    {
        foreach (var folder in new[] { "a", "b" })
        {
            await PublishAllAsync(_output.Combine(folder), GivenSecrets);
        }

        var first = AppHostPublish.Snapshot(_output.Combine("a"));
        var second = AppHostPublish.Snapshot(_output.Combine("b"));
        second.Select(f => (f.Path, f.Mode)).ShouldBe(first.Select(f => (f.Path, f.Mode)));
        for (var i = 0; i < first.Count; i++)
        {
            second[i].Bytes.ShouldBe(first[i].Bytes, first[i].Path);
        }
        first.Select(f => f.Path).ShouldContain("compose/docker-compose.yaml");
        first.Select(f => f.Path).ShouldContain("baremetal/master/units/atlas-redis.service");
        first.Select(f => f.Path).ShouldContain("baremetal/worker/units/atlas-worker.service");
    }

    [Fact]
    public async Task Publish_NoSecretsGiven_GeneratedOnceReusedAndOnlyInModeSixHundredFiles()
    {
        var folder = _output.Combine("out");
        await PublishAllAsync(folder, null);
        var first = AppHostPublish.Snapshot(folder);
        await PublishAllAsync(folder, null);

        var second = AppHostPublish.Snapshot(folder);
        second.Select(f => (f.Path, f.Mode, Convert.ToHexString(f.Bytes))).ShouldBe(first.Select(f => (f.Path, f.Mode, Convert.ToHexString(f.Bytes))), "a second publish reuses secrets.env");
        var secrets = File.ReadAllLines(Path.Combine(folder, "secrets.env")).Where(l => !l.StartsWith('#')).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        secrets.Keys.Order().ShouldBe(["keycloak-admin-password", "redis-password", "telemetry-otlp-key", "telemetry-token"]);
        secrets.Values.ShouldAllBe(v => v.Length >= 22);
        foreach (var (path, mode, bytes) in first)
        {
            var text = System.Text.Encoding.UTF8.GetString(bytes);
            var holdsSecret = secrets.Values.Any(v => text.Contains(v, StringComparison.Ordinal));
            if (holdsSecret)
            {
                mode.ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite, $"{path} holds a secret");
                text.ShouldContain("SECRETS", Case.Sensitive, $"{path} says it holds secrets");
            }
        }
        first.Where(f => f.Path.EndsWith("docker-compose.yaml", StringComparison.Ordinal) || f.Path.Contains("/units/", StringComparison.Ordinal) || f.Path.Contains("/env/", StringComparison.Ordinal))
            .ShouldAllBe(f => secrets.Values.All(v => !System.Text.Encoding.UTF8.GetString(f.Bytes).Contains(v, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Publish_Redis_PasswordEverywhereAndPrivateNetworkOnly()
    {
        var folder = _output.Combine("out");
        await PublishAllAsync(folder, GivenSecrets);
        var password = GivenSecrets["Parameters__redis-password"];

        var compose = await File.ReadAllTextAsync(Path.Combine(folder, "compose", "docker-compose.yaml"), Ct);
        var redis = compose[compose.IndexOf("  redis:\n", StringComparison.Ordinal)..];
        redis = redis[..redis.IndexOf("restart:", StringComparison.Ordinal)];
        redis.ShouldContain("--requirepass $$REDIS_PASSWORD");
        redis.ShouldNotContain("ports:", customMessage: "Redis publishes no host port: only the compose network reaches it");
        var redisConf = await File.ReadAllTextAsync(Path.Combine(folder, "baremetal", "master", "secrets", "redis.conf"), Ct);
        redisConf.ShouldContain($"requirepass {password}\n");
        redisConf.ShouldContain("bind 127.0.0.1 @MASTER_HOST@\n");
        redisConf.ShouldContain("protected-mode yes\n");
        foreach (var service in new[] { "master", "gateway", "worker-1", "worker-2" })
        {
            (await File.ReadAllTextAsync(Path.Combine(folder, "compose", "secrets", service + ".env"), Ct)).ShouldContain($"ConnectionStrings__redis=redis:6379,password={password}\n");
        }
        foreach (var (role, service) in new[] { ("master", "master"), ("master", "gateway"), ("worker", "worker") })
        {
            (await File.ReadAllTextAsync(Path.Combine(folder, "baremetal", role, "secrets", service + ".env"), Ct)).ShouldContain($"REDIS_ADDRESS=@MASTER_HOST@:5556,password={password}\n");
        }
    }

    [Fact]
    public async Task PublishCompose_DockerComposeConfig_ValidatesWithKeycloakAsAProfile()
    {
        var composeTool = RedisServer.FindOnPath("docker-compose") ?? throw TestEnvironment.Missing("docker-compose");
        var folder = _output.Combine("out");
        await AppHostPublish.RunAsync(typeof(PublishTargetsTests).Assembly, "publish-compose", folder, GivenSecrets, Ct);
        var compose = Path.Combine(folder, "compose");

        (await RunAsync(composeTool, compose, "config", "-q")).ShouldBe(0);
        // docker-compose 1.29 lists profile services too; `up` starts Keycloak only with --profile keycloak.
        var services = await OutputAsync(composeTool, compose, "--profile", "keycloak", "config", "--services");
        services.ShouldBe(["dashboard", "gateway", "keycloak", "master", "redis", "telemetry", "worker-1", "worker-2"], ignoreOrder: true);
        string.Join('\n', await OutputAsync(composeTool, compose, "config")).ShouldContain("- keycloak");
    }

    [Fact]
    public async Task PublishBareMetal_EveryUnit_PassesSystemdAnalyzeVerify()
    {
        var analyze = RedisServer.FindOnPath("systemd-analyze") ?? throw TestEnvironment.Missing("systemd-analyze");
        var folder = _output.Combine("out");
        await AppHostPublish.RunAsync(typeof(PublishTargetsTests).Assembly, "publish-baremetal", folder, GivenSecrets, Ct);

        var units = Directory.GetFiles(Path.Combine(folder, "baremetal"), "*.service", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        units.Select(Path.GetFileName).ShouldBe(["atlas-dashboard.service", "atlas-gateway.service", "atlas-keycloak.service", "atlas-master.service", "atlas-redis.service", "atlas-telemetry.service", "atlas-worker.service"]);
        foreach (var unit in units)
        {
            var (code, output) = await VerifyAsync(analyze, unit);
            code.ShouldBe(0, $"{unit}:\n{output}");
            output.ShouldBeEmpty($"{unit} verifies without a warning");
        }
        var worker = await File.ReadAllTextAsync(units.Single(u => u.EndsWith("atlas-worker.service", StringComparison.Ordinal)), Ct);
        foreach (var hardening in new[] { "User=atlas\n", "NoNewPrivileges=true\n", "ProtectSystem=strict\n", "ReadWritePaths=/atlas/shared\n" })
        {
            worker.ShouldContain(hardening);
        }
        // Keycloak imports the realm install.sh copies to /opt/atlas/files.
        (await File.ReadAllTextAsync(units.Single(u => u.EndsWith("atlas-keycloak.service", StringComparison.Ordinal)), Ct))
            .ShouldContain(" --volume /opt/atlas/files/keycloak:/opt/keycloak/data/import:ro ");
        (await File.ReadAllTextAsync(Path.Combine(folder, "baremetal", "master", "files", "keycloak", "atlas-realm.json"), Ct)).ShouldContain("${ATLAS_DASHBOARD_URL:");
        // The check is real: a unit with a mistake fails it.
        var broken = Path.Combine(folder, "atlas-broken.service");
        await File.WriteAllTextAsync(broken, worker.Replace("ExecStart=/usr/bin/dotnet", "ExecStart=dotnet-relative", StringComparison.Ordinal), Ct);
        (await VerifyAsync(analyze, broken)).Code.ShouldNotBe(0);
    }

    [Fact]
    public async Task PublishCompose_Keycloak_DashboardUrlFromTheHostsEnvironmentElseLocalhost()
    {
        var composeTool = RedisServer.FindOnPath("docker-compose") ?? throw TestEnvironment.Missing("docker-compose");
        var folder = _output.Combine("out");
        await AppHostPublish.RunAsync(typeof(PublishTargetsTests).Assembly, "publish-compose", folder, GivenSecrets, Ct);
        var compose = Path.Combine(folder, "compose");

        (await File.ReadAllTextAsync(Path.Combine(compose, "docker-compose.yaml"), Ct))
            .ShouldContain("      ATLAS_DASHBOARD_URL: \"${ATLAS_DASHBOARD_URL:-http://localhost:5555}\"\n");
        var unset = string.Join('\n', await OutputAsync(composeTool, compose, "--profile", "keycloak", "config"));
        unset.ShouldContain("ATLAS_DASHBOARD_URL: http://localhost:5555");
        var set = await StartAsync(composeTool, compose, ["--profile", "keycloak", "config"], new Dictionary<string, string> { ["ATLAS_DASHBOARD_URL"] = "https://atlas.example" });
        set.Code.ShouldBe(0, set.Output);
        set.Output.ShouldContain("ATLAS_DASHBOARD_URL: https://atlas.example");
        set.Output.ShouldNotContain("ATLAS_DASHBOARD_URL: http://localhost:5555");
    }

    [Theory]
    [InlineData(null, 0, "ATLAS_DASHBOARD_URL=http://localhost:5555")]
    [InlineData("https://atlas.example/", 0, "ATLAS_DASHBOARD_URL=https://atlas.example")]
    [InlineData("http://atlas.example:5555", 0, "ATLAS_DASHBOARD_URL=http://atlas.example:5555")]
    [InlineData("atlas.example", 2, "ATLAS_DASHBOARD_URL must be the dashboard's absolute http(s) URL")]
    [InlineData("https://a|b.example", 2, "ATLAS_DASHBOARD_URL must be the dashboard's absolute http(s) URL")]
    public async Task PublishBareMetal_KeycloakEnvFile_InstallScriptChecksAndFillsTheDashboardUrl(string? url, int code, string expected)
    {
        var sh = RedisServer.FindOnPath("sh") ?? throw TestEnvironment.Missing("sh");
        var folder = _output.Combine("out");
        await AppHostPublish.RunAsync(typeof(PublishTargetsTests).Assembly, "publish-baremetal", folder, GivenSecrets, Ct);
        var master = Path.Combine(folder, "baremetal", "master");
        (await File.ReadAllTextAsync(Path.Combine(master, "env", "keycloak.env"), Ct)).ShouldContain("\nATLAS_DASHBOARD_URL=@DASHBOARD_URL@\n");
        (await File.ReadAllTextAsync(Path.Combine(folder, "baremetal", "worker", "install.sh"), Ct)).ShouldNotContain("DASHBOARD_URL");

        // install.sh's own lines up to its fill(), run as written, then fill() on the Keycloak env file:
        // the rest of the script installs on the host and is not run here.
        var install = await File.ReadAllTextAsync(Path.Combine(master, "install.sh"), Ct);
        var head = install[..(install.IndexOf("\n}\n", install.IndexOf("fill() {", StringComparison.Ordinal), StringComparison.Ordinal) + 3)];
        var script = Path.Combine(master, "check.sh");
        await File.WriteAllTextAsync(script, head + "fill \"$here/env/keycloak.env\" | grep ATLAS_DASHBOARD_URL\n", Ct);
        var environment = new Dictionary<string, string> { ["MASTER_HOST"] = "10.0.0.1" };
        if (url is not null)
        {
            environment["ATLAS_DASHBOARD_URL"] = url;
        }
        var (exit, output) = await StartAsync(sh, master, [script], environment, keepStderr: true);

        exit.ShouldBe(code, output);
        output.ShouldContain(expected);
    }

    private static async Task PublishAllAsync(string folder, IReadOnlyDictionary<string, string>? environment)
    {
        foreach (var step in new[] { "publish-compose", "publish-baremetal" })
        {
            await AppHostPublish.RunAsync(typeof(PublishTargetsTests).Assembly, step, folder, environment, Ct);
        }
    }

    private static async Task<(int Code, string Output)> VerifyAsync(string analyze, string unit)
    {
        var info = new ProcessStartInfo(analyze) { RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { "verify", unit } };
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct) + await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, output.Trim());
    }

    private static async Task<int> RunAsync(string tool, string folder, params string[] args) => (await StartAsync(tool, folder, args)).Code;

    private static async Task<string[]> OutputAsync(string tool, string folder, params string[] args)
    {
        var (code, output) = await StartAsync(tool, folder, args);
        code.ShouldBe(0, output);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static async Task<(int Code, string Output)> StartAsync(
        string tool, string folder, string[] args, IReadOnlyDictionary<string, string>? environment = null, bool keepStderr = false)
    {
        var info = new ProcessStartInfo(tool) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment.Remove("ATLAS_DASHBOARD_URL");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, (await stdout).Trim() + (process.ExitCode == 0 && !keepStderr ? "" : "\n" + await stderr));
    }
}
