using System.Text;
using System.Text.Json.Nodes;
using Atlas.Cli.Config;
using Atlas.Deploy.Aws.Clusters;
using Atlas.Deploy.Aws.Templates;
using Atlas.Testing;

namespace Atlas.Cli.Tests.Commands.Deploy;

/// <summary>
/// <c>atlas deploy aws</c>: the real root command and the real awscli, against a stand-in AWS
/// endpoint on loopback (<see cref="StandInAws"/>), because AWS cannot be reached from here.
/// </summary>
public sealed class DeployAwsTests : IAsyncLifetime
{
    private readonly TempFolder _home = new("atlas-home");
    private readonly TempFolder _bundles = new("atlas-bundles");
    private StandInAws _aws = null!;

    public async ValueTask InitializeAsync()
    {
        if (!OnPath("aws"))
        {
            throw TestEnvironment.Missing("awscli (the aws command)");
        }
        _aws = await StandInAws.StartAsync();
        File.WriteAllText(Path.Combine(_bundles.Path, "atlas-baremetal-master.tar.gz"), "master bundle");
        File.WriteAllText(Path.Combine(_bundles.Path, "atlas-baremetal-worker.tar.gz"), "worker bundle");
    }

    public async ValueTask DisposeAsync()
    {
        if (_aws is not null)
        {
            await _aws.DisposeAsync();
        }
        _home.Dispose();
        _bundles.Dispose();
    }

    [Fact]
    public async Task Up_DryRun_PrintsTheTemplateAndCallsNothing()
    {
        var (code, stdout, stderr) = await RunAsync("deploy", "aws", "up", "--cluster-id", "team", "--dry-run", "--workers", "3",
            "--deployment-type", "efs", "--endpoint-url", _aws.Url);

        code.ShouldBe(0, stderr);
        stdout.ShouldBe(Ec2Template.Generate(ClusterDescription.Default(3), DeploymentType.Efs));
        stderr.ShouldContain("parameter InboundCidr=(your own address /32, looked up by up)");
        _aws.Calls.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(null, "parameter PublicDashboardUrl=\n")]
    [InlineData("https://atlas.example/", "parameter PublicDashboardUrl=https://atlas.example\n")]
    [InlineData("http://atlas.example:5555", "parameter PublicDashboardUrl=http://atlas.example:5555\n")]
    public async Task Up_DashboardUrl_BecomesTheStacksParameterWithoutTrailingSlash(string? url, string expected)
    {
        string[] args = ["deploy", "aws", "up", "--cluster-id", "team", "--dry-run", "--endpoint-url", _aws.Url];
        var (code, _, stderr) = await RunAsync(url is null ? args : [.. args, "--dashboard-url", url]);

        code.ShouldBe(0, stderr);
        stderr.ShouldContain(expected);
        _aws.Calls.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("--master-instance-type", "m5.enormous", "--master-instance-type: 'm5.enormous' is not an instance type")]
    [InlineData("--worker-instance-type", "z9.large", "--worker-instance-type: 'z9.large' is not an instance type")]
    [InlineData("--gpu-worker-instance-type", "m5.large", "--gpu-worker-instance-type: 'm5.large' has no GPU")]
    [InlineData("--inbound-cidr", "10.0.0.300/32", "--inbound-cidr: '10.0.0.300/32' is not a CIDR block")]
    [InlineData("--inbound-cidr", "10.1.2.3/8", "--inbound-cidr: '10.1.2.3/8' is not a block")]
    [InlineData("--spot-max-price", "0.5", "--spot-max-price: needs --spot")]
    [InlineData("--deployment-type", "cheap", "--deployment-type: 'cheap' is not one of simple, vpc, efs, secure")]
    [InlineData("--max-idle-worker-period", "ten", "--max-idle-worker-period: 'ten' is not a duration")]
    [InlineData("--ami", "ubuntu", "--ami: 'ubuntu' is not an AMI id")]
    [InlineData("--artifacts-url", "ftp://x/y", "--artifacts-url: 'ftp://x/y' is not an http(s) URL")]
    [InlineData("--workers", "41", "--workers: 41 is not between 0 and 40")]
    [InlineData("--dashboard-url", "atlas.example", "--dashboard-url: 'atlas.example' is not an absolute http(s) URL")]
    [InlineData("--dashboard-url", "ftp://atlas.example", "--dashboard-url: 'ftp://atlas.example' is not an absolute http(s) URL")]
    [InlineData("--dashboard-url", "https://a'b.example", "--dashboard-url: 'https://a'b.example' is not an absolute http(s) URL")]
    [InlineData("--cluster-id", "1team", "--cluster-id: '1team' is not a stack name")]
    public async Task Up_BadArgument_FailsBeforeAnyCall_NamingIt(string option, string value, string message)
    {
        string[] args = ["deploy", "aws", "up", "--keypair", "k", "--bundles", _bundles.Path, "--endpoint-url", _aws.Url];
        var (code, _, stderr) = await RunAsync([.. args, .. option == "--cluster-id" ? Array.Empty<string>() : ["--cluster-id", "team"], option, value]);

        code.ShouldBe(2);
        stderr.ShouldStartWith("error: " + message);
        _aws.Calls.ShouldBeEmpty();
        _aws.Stacks.ShouldBeEmpty();
    }

    [Fact]
    public async Task Up_NoKeyPairOrBundles_FailsNamingThem()
    {
        (await RunAsync("deploy", "aws", "up", "--cluster-id", "team", "--bundles", _bundles.Path, "--endpoint-url", _aws.Url)).Stderr.ShouldStartWith("error: --keypair:");
        (await RunAsync("deploy", "aws", "up", "--cluster-id", "team", "--keypair", "k", "--endpoint-url", _aws.Url)).Stderr.ShouldStartWith("error: --bundles:");
        _aws.Calls.ShouldBeEmpty();
    }

    [Fact]
    public async Task Up_NewCluster_CreatesTheStackUploadsTheBundlesAndMakesItTheCurrentContext()
    {
        var (code, stdout, stderr) = await UpAsync("--workers", "2", "--spot", "--spot-max-price", "0.45", "--max-idle-worker-period", "15m");

        code.ShouldBe(0, stderr);
        var stack = _aws.Stacks["team"];
        stack.Status.ShouldBe("CREATE_COMPLETE");
        JsonNode.Parse(stack.Template)!.ToJsonString().ShouldBe(Ec2Template.Build(ClusterDescription.Default(2), DeploymentType.Vpc).ToJsonString());
        stack.Parameters["KeyName"].ShouldBe("team-key");
        stack.Parameters["InboundCidr"].ShouldBe("203.0.113.7/32"); // the caller's own address, from the echo service
        stack.Parameters["Spot"].ShouldBe("true");
        stack.Parameters["SpotMaxPrice"].ShouldBe("0.45");
        stack.Parameters["MaxIdleWorkerSeconds"].ShouldBe("900");
        stack.Parameters["AtlasVersion"].ShouldBe(CliVersion.Current);
        stack.Tags[TemplateNames.ClusterTag].ShouldBe("team");
        var bucket = _aws.Buckets[stack.Bucket];
        Encoding.UTF8.GetString(bucket[$"{CliVersion.Current}/atlas-baremetal-master.tar.gz"]).ShouldBe("master bundle");
        Encoding.UTF8.GetString(bucket[$"{CliVersion.Current}/atlas-baremetal-worker.tar.gz"]).ShouldBe("worker bundle");
        stdout.ShouldContain("created team (CREATE_COMPLETE)");
        stdout.ShouldContain("gateway:   http://ec2-203-0-113-10.compute-1.amazonaws.com:5558");
        stdout.ShouldContain("dashboard: http://ec2-203-0-113-10.compute-1.amazonaws.com:5555");
        var config = CliConfig.Load(_home.Path);
        config.CurrentContext.ShouldBe("team");
        config.Contexts["team"].SchedulerUrl.ShouldBe("http://ec2-203-0-113-10.compute-1.amazonaws.com:5558");
    }

    [Fact]
    public async Task Up_PublishBaremetalOutput_UploadsOneArchivePerRoleWithTheBinaries()
    {
        using var published = new TempFolder("atlas-baremetal");
        foreach (var role in new[] { "master", "worker" })
        {
            Directory.CreateDirectory(published.Combine(role));
            File.WriteAllText(published.Combine(role, "install.sh"), $"#!/bin/sh\necho {role}\n");
            File.SetUnixFileMode(published.Combine(role, "install.sh"), (UnixFileMode)0b111_101_101);
        }
        Directory.CreateDirectory(published.Combine("bin", "Atlas.Worker"));
        File.WriteAllText(published.Combine("bin", "Atlas.Worker", "Atlas.Worker"), "binary");

        var (code, _, stderr) = await RunAsync("deploy", "aws", "up", "--cluster-id", "team", "--keypair", "k", "--bundles", published.Path, "--endpoint-url", _aws.Url);

        code.ShouldBe(0, stderr);
        var bucket = _aws.Buckets[_aws.Stacks["team"].Bucket];
        var worker = Entries(bucket[$"{CliVersion.Current}/atlas-baremetal-worker.tar.gz"]);
        worker.Keys.ShouldBe(["worker/install.sh", "bin/Atlas.Worker/Atlas.Worker"], ignoreOrder: true);
        ((int)worker["worker/install.sh"]).ShouldBe(0b111_101_101);
        Entries(bucket[$"{CliVersion.Current}/atlas-baremetal-master.tar.gz"]).Keys.ShouldContain("master/install.sh");
    }

    [Fact]
    public async Task Up_BundlesFolderWithoutBundles_FailsNamingItBeforeAnyCall()
    {
        using var empty = new TempFolder("atlas-empty");
        Directory.CreateDirectory(empty.Combine("master"));
        Directory.CreateDirectory(empty.Combine("worker"));
        File.WriteAllText(empty.Combine("master", "install.sh"), "");
        File.WriteAllText(empty.Combine("worker", "install.sh"), "");

        var (code, _, stderr) = await RunAsync("deploy", "aws", "up", "--cluster-id", "team", "--keypair", "k", "--bundles", empty.Path, "--endpoint-url", _aws.Url);

        code.ShouldBe(2);
        stderr.ShouldStartWith($"error: --bundles: {empty.Combine("bin")} is empty: publish the binaries first");
        _aws.Calls.ShouldBeEmpty();
    }

    [Fact]
    public async Task Up_SameAgain_SaysNothingChangedAndPrintsTheUrls()
    {
        (await UpAsync()).Code.ShouldBe(0);

        var (code, stdout, stderr) = await UpAsync();

        code.ShouldBe(0, stderr);
        stdout.ShouldContain("nothing changed: team is CREATE_COMPLETE");
        stdout.ShouldContain("gateway:   http://ec2-203-0-113-10.compute-1.amazonaws.com:5558");
        _aws.Calls.Count(c => c == "CreateStack").ShouldBe(1);
    }

    [Fact]
    public async Task Up_MoreWorkers_UpdatesTheStackOfThatName()
    {
        (await UpAsync()).Code.ShouldBe(0);

        var (code, stdout, stderr) = await UpAsync("--workers", "3");

        code.ShouldBe(0, stderr);
        stdout.ShouldContain("updated team (UPDATE_COMPLETE)");
        _aws.Stacks["team"].Template.ShouldContain("StaticWorker3");
    }

    [Fact]
    public async Task Up_OlderClusterVersion_ReportsTheUpgrade()
    {
        var stack = _aws.Seed("team", "CREATE_COMPLETE", new() { [TemplateNames.ClusterTag] = "team" });
        stack.Parameters["AtlasVersion"] = "0.0.1";

        var (code, stdout, stderr) = await UpAsync();

        code.ShouldBe(0, stderr);
        stdout.ShouldContain($"version:   Atlas 0.0.1 -> {CliVersion.Current}");
    }

    [Fact]
    public async Task Up_CreateRollsBack_ReportsTheFailedResourcesReason()
    {
        _aws.FailNextCreate = ("MasterInstance", "AWS::EC2::Instance", "The key pair 'team-key' does not exist");

        var (code, _, stderr) = await UpAsync();

        code.ShouldBe(1);
        stderr.ShouldContain("error: cluster team is ROLLBACK_COMPLETE: MasterInstance (AWS::EC2::Instance) CREATE_FAILED: The key pair 'team-key' does not exist");
        stderr.ShouldContain("--delete-failed");
    }

    [Fact]
    public async Task Up_RolledBackStack_IsDeletedOnlyWhenAsked()
    {
        var failed = _aws.Seed("team", "ROLLBACK_COMPLETE", new() { [TemplateNames.ClusterTag] = "team" });
        failed.Events.Add(("MasterSecurityGroup", "AWS::EC2::SecurityGroup", "CREATE_FAILED", "not authorized to perform ec2:CreateSecurityGroup"));

        var (code, _, stderr) = await UpAsync();

        code.ShouldBe(1);
        stderr.ShouldContain("cluster team is ROLLBACK_COMPLETE: MasterSecurityGroup (AWS::EC2::SecurityGroup) CREATE_FAILED: not authorized to perform ec2:CreateSecurityGroup");
        _aws.Calls.ShouldNotContain("DeleteStack");
        _aws.Calls.ShouldNotContain("CreateStack");

        var (again, stdout, againErr) = await UpAsync("--delete-failed");

        again.ShouldBe(0, againErr);
        _aws.Calls.ShouldContain("DeleteStack");
        stdout.ShouldContain("created team (CREATE_COMPLETE)");
    }

    [Fact]
    public async Task Up_OwnAddressUnknown_FailsNamingInboundCidrAndCreatesNothing()
    {
        var (code, _, stderr) = await RunWithAsync(e => new(e) { ["ATLAS_CHECKIP_URL"] = $"http://127.0.0.1:{Atlas.Core.Net.LoopbackPorts.Next()}/" },
            "deploy", "aws", "up", "--cluster-id", "team", "--keypair", "k", "--bundles", _bundles.Path, "--endpoint-url", _aws.Url);

        code.ShouldBe(2);
        stderr.ShouldStartWith("error: --inbound-cidr: not given, and your own address could not be found");
        _aws.Stacks.ShouldBeEmpty();
    }

    [Fact]
    public async Task Down_EmptiesTheBucketDeletesTheStackAndItsContext()
    {
        (await UpAsync()).Code.ShouldBe(0);

        var (code, stdout, stderr) = await RunAsync("deploy", "aws", "down", "--cluster-id", "team", "--endpoint-url", _aws.Url);

        code.ShouldBe(0, stderr);
        _aws.Stacks.ShouldNotContainKey("team");
        stdout.ShouldContain("deleted team");
        CliConfig.Load(_home.Path).Contexts.ShouldNotContainKey("team");
        CliConfig.Load(_home.Path).CurrentContext.ShouldBeNull();
    }

    [Fact]
    public async Task Down_NoSuchCluster_ExitsOneNamingIt()
    {
        var (code, _, stderr) = await RunAsync("deploy", "aws", "down", "--cluster-id", "nobody", "--endpoint-url", _aws.Url);

        code.ShouldBe(1);
        stderr.ShouldBe("error: --cluster-id: no cluster named nobody (atlas deploy aws list)\n");
    }

    [Fact]
    public async Task List_ShowsOnlyAtlasClusters()
    {
        (await UpAsync()).Code.ShouldBe(0);
        _aws.Seed("someone-elses-stack", "CREATE_COMPLETE");

        var (code, stdout, stderr) = await RunAsync("deploy", "aws", "list", "--endpoint-url", _aws.Url);

        code.ShouldBe(0, stderr);
        stdout.ShouldContain("team");
        stdout.ShouldNotContain("someone-elses-stack");
    }

    [Fact]
    public async Task Status_ClusterOnAnotherVersion_WarnsOfTheMismatch()
    {
        var stack = _aws.Seed("team", "CREATE_COMPLETE", new() { [TemplateNames.ClusterTag] = "team" });
        stack.Parameters["AtlasVersion"] = "0.0.1";

        var (code, stdout, stderr) = await RunAsync("deploy", "aws", "status", "--cluster-id", "team", "--endpoint-url", _aws.Url);

        code.ShouldBe(0, stderr);
        stdout.ShouldContain("status:    CREATE_COMPLETE");
        stdout.ShouldContain("version:   0.0.1");
        stderr.ShouldContain($"warning: the cluster runs Atlas 0.0.1, this CLI is {CliVersion.Current}");
    }

    private Task<(int Code, string Stdout, string Stderr)> UpAsync(params string[] more) =>
        RunAsync(["deploy", "aws", "up", "--cluster-id", "team", "--keypair", "team-key", "--deployment-type", "vpc",
            "--bundles", _bundles.Path, "--endpoint-url", _aws.Url, .. more]);

    private Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args) => RunWithAsync(e => e, args);

    private async Task<(int Code, string Stdout, string Stderr)> RunWithAsync(
        Func<Dictionary<string, string>, Dictionary<string, string>> configure, params string[] args)
    {
        // Credentials of the stand-in's; no file of the user's is read (config and credentials point into the test's home).
        var env = configure(new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "stand-in",
            ["AWS_SECRET_ACCESS_KEY"] = "stand-in",
            ["AWS_DEFAULT_REGION"] = "us-east-1",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_CONFIG_FILE"] = Path.Combine(_home.Path, "aws-config"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_home.Path, "aws-credentials"),
            ["ATLAS_CHECKIP_URL"] = _aws.Url + "/checkip",
            ["ATLAS_DEPLOY_POLL_MS"] = "20",
        });
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, name => env.GetValueOrDefault(name), _home.Path);
        var code = await AtlasCli.RunAsync(args, context);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static Dictionary<string, UnixFileMode> Entries(byte[] archive)
    {
        using var reader = new System.Formats.Tar.TarReader(new System.IO.Compression.GZipStream(new MemoryStream(archive), System.IO.Compression.CompressionMode.Decompress));
        var entries = new Dictionary<string, UnixFileMode>();
        while (reader.GetNextEntry() is { } entry)
        {
            entries[entry.Name] = entry.Mode;
        }
        return entries;
    }

    private static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, command)));
}
