using System.Text.Json.Nodes;
using Atlas.Deploy.Aws.Clusters;
using Atlas.Deploy.Aws.Templates;
using Atlas.Testing;

namespace Atlas.Deploy.Aws.Tests.Templates;

public sealed class Ec2TemplateTests
{
    private static readonly ClusterDescription Cluster = ClusterDescription.Default(workers: 2);

    public static TheoryData<DeploymentType> Types => [.. Enum.GetValues<DeploymentType>()];

    [Fact]
    public async Task Generate_EveryDeploymentType_PassesCfnLint()
    {
        using var folder = new TempFolder("atlas-cfn");
        var files = Enum.GetValues<DeploymentType>().Select(type =>
        {
            var path = folder.Combine($"atlas-{type.ToString().ToLowerInvariant()}.json");
            File.WriteAllText(path, Ec2Template.Generate(Cluster, type));
            return path;
        }).ToList();

        var (code, output) = await CfnLint.RunAsync(files, TestContext.Current.CancellationToken);

        code.ShouldBe(0, output);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Generate_SameInputTwice_SameBytes(DeploymentType type) =>
        Ec2Template.Generate(ClusterDescription.Default(2), type).ShouldBe(Ec2Template.Generate(ClusterDescription.Default(2), type));

    [Theory]
    [MemberData(nameof(Types))]
    public void Build_MasterGroup_OpensOnlySshGatewayDashboardKeycloakFromOutside(DeploymentType type)
    {
        var template = Ec2Template.Build(Cluster, type);
        var ingress = Properties(template, SecurityResources.Master)["SecurityGroupIngress"]!.AsArray();

        ingress.Select(r => (int)r!["FromPort"]!).ShouldBe([22, 5558, 5555, 8443]);
        foreach (var rule in ingress)
        {
            if (type == DeploymentType.Secure)
            {
                rule!["SourceSecurityGroupId"]!.ToJsonString().ShouldContain(SecurityResources.Bastion);
                rule["CidrIp"].ShouldBeNull();
            }
            else
            {
                rule!["CidrIp"]!.ToJsonString().ShouldBe("""{"Ref":"InboundCidr"}""");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Build_InternalPorts_OnlyBetweenTheClustersGroups(DeploymentType type)
    {
        var template = Ec2Template.Build(Cluster, type);
        var rules = Resources(template).Where(r => (string)r.Value!["Type"]! == "AWS::EC2::SecurityGroupIngress").Select(r => r.Value!["Properties"]!).ToList();

        rules.ShouldNotBeEmpty();
        rules.ShouldAllBe(r => r["CidrIp"] == null && r["SourceSecurityGroupId"] != null);
        // Redis (5556), NFS (2049) and the rest pass only from one of the cluster's groups to the other.
        var groups = rules.Select(r => (r["GroupId"]!.ToJsonString(), r["SourceSecurityGroupId"]!.ToJsonString(), (int)r["FromPort"]!, (int)r["ToPort"]!)).ToList();
        groups.ShouldContain((Id(SecurityResources.Master), Id(SecurityResources.Worker), 0, 65535));
        groups.ShouldContain((Id(SecurityResources.Worker), Id(SecurityResources.Master), 0, 65535));
        if (type is DeploymentType.Efs or DeploymentType.Secure)
        {
            groups.ShouldContain((Id(SecurityResources.Efs), Id(SecurityResources.Worker), 2049, 2049));
            groups.ShouldContain((Id(SecurityResources.Efs), Id(SecurityResources.Master), 2049, 2049));
        }
        // No rule anywhere is open to the world: only routes name 0.0.0.0/0.
        Ec2Template.Generate(Cluster, type).ShouldNotContain("\"CidrIp\": \"0.0.0.0/0\"");
    }

    [Fact]
    public void Build_MasterRole_TerminatesOnlyItsOwnClustersDynamicWorkers()
    {
        var template = Ec2Template.Build(Cluster, DeploymentType.Simple);
        var statements = Properties(template, "MasterRole")["Policies"]![0]!["PolicyDocument"]!["Statement"]!.AsArray();

        var terminate = statements.Single(s => s!["Action"]!.AsArray().Any(a => (string)a! == "ec2:TerminateInstances"))!;
        var condition = terminate["Condition"]!["StringEquals"]!;
        condition["ec2:ResourceTag/atlas:cluster"]!.ToJsonString().ShouldBe("""{"Ref":"AWS::StackName"}""");
        ((string)condition["ec2:ResourceTag/atlas:role"]!).ShouldBe("dynamic-worker");
        var run = statements.Single(s => (string)s!["Sid"]! == "RunOnlyTaggedInstances")!;
        run["Condition"]!["StringEquals"]!["aws:RequestTag/atlas:cluster"]!.ToJsonString().ShouldBe("""{"Ref":"AWS::StackName"}""");
        // Only the worker role's statements are free of conditions besides describe, pass-role and launch resources.
        Properties(template, "WorkerRole")["Policies"]!.ToJsonString().ShouldNotContain("ec2:");
    }

    [Theory]
    [InlineData(DeploymentType.Simple, false)]
    [InlineData(DeploymentType.Vpc, false)]
    [InlineData(DeploymentType.Efs, true)]
    [InlineData(DeploymentType.Secure, true)]
    public void Build_SharedRoot_EfsOnlyForEfsAndSecure_MountedAtTheSharedRoot(DeploymentType type, bool efs)
    {
        var template = Ec2Template.Build(Cluster, type);

        Resources(template).Any(r => (string)r.Value!["Type"]! == "AWS::EFS::FileSystem").ShouldBe(efs);
        var worker = WorkerUserData(template);
        worker.ShouldContain("SHARED_ROOT='/atlas/shared'");
        worker.ShouldContain(efs ? "${SharedFileSystem}.efs.${AWS::Region}.amazonaws.com:/ $SHARED_ROOT nfs4" : "${MasterInstance.PrivateIp}:$SHARED_ROOT $SHARED_ROOT nfs4");
        UserData(template, "MasterInstance").Contains("/etc/exports.d/atlas.exports", StringComparison.Ordinal).ShouldBe(!efs);
    }

    [Fact]
    public void Build_Secure_PrivateSubnetNatGatewayAndBastion()
    {
        var template = Ec2Template.Build(Cluster, DeploymentType.Secure);
        var types = Resources(template).Select(r => (string)r.Value!["Type"]!).ToList();

        types.ShouldContain("AWS::EC2::NatGateway");
        Properties(template, "PrivateSubnet")["MapPublicIpOnLaunch"]!.GetValue<bool>().ShouldBeFalse();
        Properties(template, "MasterInstance")["SubnetId"]!.ToJsonString().ShouldContain("PrivateSubnet");
        Properties(template, "Bastion")["SubnetId"]!.ToJsonString().ShouldContain("PublicSubnet");
        template["Outputs"]![TemplateNames.TunnelOutput].ShouldNotBeNull();
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Build_Nodes_InstallTheirRolesBundleWithTheSeedsVariables(DeploymentType type)
    {
        var template = Ec2Template.Build(Cluster, type);

        var master = UserData(template, "MasterInstance");
        master.ShouldContain("BUNDLE=atlas-baremetal-master.tar.gz");
        master.ShouldContain("NUM_WORKERS=0");
        master.ShouldContain("aws s3 cp \"s3://${ArtifactsBucket}/${AtlasVersion}/$1\"");
        master.ShouldContain("./install.sh");
        master.ShouldContain("MASTER_HOST=$IP");
        var worker = WorkerUserData(template);
        worker.ShouldContain("BUNDLE=atlas-baremetal-worker.tar.gz");
        worker.ShouldContain("MASTER_HOST=${MasterInstance.PrivateIp}");
        worker.ShouldContain("NODE_HOST=$IP");
        worker.ShouldContain("REDIS_ADDRESS=${MasterInstance.PrivateIp}:5556");
        worker.ShouldContain("HOST_ADDRESS=http://$IP:5561");
        worker.ShouldContain("NUM_WORKERS=2");
        Resources(template).Count(r => System.Text.RegularExpressions.Regex.IsMatch(r.Key, "^StaticWorker[0-9]+$")).ShouldBe(2);
        template["Outputs"]![TemplateNames.GatewayUrlOutput].ShouldNotBeNull();
        template["Outputs"]![TemplateNames.DashboardUrlOutput].ShouldNotBeNull();
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Build_MasterKeycloak_DashboardUrlFromTheParameterElseThePublicName(DeploymentType type)
    {
        var template = Ec2Template.Build(Cluster, type);

        var master = UserData(template, "MasterInstance");
        master.ShouldContain("DASHBOARD_URL='${PublicDashboardUrl}'\n");
        master.ShouldContain("\nATLAS_DASHBOARD_URL=$DASHBOARD_URL\n");
        master.ShouldContain("DASHBOARD_URL=http://$PUBLIC:5555\n");
        if (type == DeploymentType.Secure)
        {
            // Behind the bastion the browser opens the tunnel's localhost:5555.
            master.ShouldContain("PUBLIC=localhost\n");
            master.ShouldNotContain("public-hostname");
        }
        else
        {
            master.ShouldContain("/meta-data/public-hostname");
        }
        WorkerUserData(template).ShouldNotContain("DASHBOARD_URL");
        var parameter = template["Parameters"]![TemplateNames.PublicDashboardUrl]!;
        ((string)parameter["Default"]!).ShouldBeEmpty();
        var pattern = new System.Text.RegularExpressions.Regex((string)parameter["AllowedPattern"]!);
        foreach (var good in new[] { "", "https://atlas.example", "http://atlas.example:5555" })
        {
            pattern.IsMatch(good).ShouldBeTrue(good);
        }
        foreach (var bad in new[] { "atlas.example", "ftp://atlas.example", "https://a'b.example", "https://a b" })
        {
            pattern.IsMatch(bad).ShouldBeFalse(bad);
        }
        template["Outputs"]![TemplateNames.DashboardUrlOutput]!["Value"]!["Fn::If"]![1]!.ToJsonString().ShouldBe("{\"Ref\":\"PublicDashboardUrl\"}");
    }

    [Fact]
    public void Build_StaticWorkers_CarryTheWorkerRoleNotTheDynamicOne()
    {
        var template = Ec2Template.Build(Cluster, DeploymentType.Efs);

        Properties(template, "StaticWorker1")["Tags"]!.ToJsonString().ShouldContain("""{"Key":"atlas:role","Value":"worker"}""");
        Properties(template, "StaticWorkerLaunchTemplate").ToJsonString().ShouldNotContain("dynamic-worker");
        Properties(template, "WorkerLaunchTemplate").ToJsonString().ShouldContain("""{"Key":"atlas:role","Value":"dynamic-worker"}""");
    }

    [Fact]
    public void GenerateCompact_FortyWorkersSecure_FitsCloudFormationsTemplateBodyLimit()
    {
        var compact = Ec2Template.GenerateCompact(ClusterDescription.Default(40), DeploymentType.Secure);

        System.Text.Encoding.UTF8.GetByteCount(compact).ShouldBeLessThan(Ec2Template.MaxTemplateBodyBytes);
        JsonNode.Parse(compact)!.ToJsonString().ShouldBe(Ec2Template.Build(ClusterDescription.Default(40), DeploymentType.Secure).ToJsonString());
    }

    [Fact]
    public void Build_SettingWithMarkers_ReachesTheNodeLiterally()
    {
        var cluster = Cluster with { WorkerSettings = new Dictionary<string, string> { ["Atlas__Worker__Labels"] = "a=${x} $(rm -rf /)" } };

        WorkerUserData(Ec2Template.Build(cluster, DeploymentType.Vpc)).ShouldContain("Atlas__Worker__Labels=a=\\${!x} \\$(rm -rf /)");
    }

    private static string Id(string group) => SecurityResources.Id(group).ToJsonString();

    private static JsonObject Resources(JsonObject template) => template["Resources"]!.AsObject();

    private static JsonObject Properties(JsonObject template, string name) => template["Resources"]![name]!["Properties"]!.AsObject();

    private static string WorkerUserData(JsonObject template) =>
        (string)Properties(template, "StaticWorkerLaunchTemplate")["LaunchTemplateData"]!["UserData"]!["Fn::Base64"]!["Fn::Sub"]!;

    private static string UserData(JsonObject template, string name) => (string)Properties(template, name)["UserData"]!["Fn::Base64"]!["Fn::Sub"]!;
}
