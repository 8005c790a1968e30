using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Deploy.Aws.Clusters;

namespace Atlas.Deploy.Aws.Templates;

/// <summary>
/// The CloudFormation template of a cluster for one deployment type. Its structure follows the
/// cluster (one instance per static worker) and the type; everything a user picks at <c>up</c>
/// (key pair, CIDR, instance types, spot, AMI, artifacts) is a parameter, so the AppHost can
/// publish the template without knowing them. Deterministic: the same description and type give
/// the same bytes.
/// </summary>
public static class Ec2Template
{
    /// <summary>The image when <c>--ami</c> is not given: Amazon Linux 2023's latest, through SSM.</summary>
    public const string DefaultImageParameter = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";


    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The most CloudFormation takes as a template body (larger ones must come from S3).</summary>
    public const int MaxTemplateBodyBytes = 51_200;

    /// <summary>The template as people read it: indented.</summary>
    public static string Generate(ClusterDescription cluster, DeploymentType type) =>
        Build(cluster, type).ToJsonString(Indented) + "\n";

    /// <summary>The same template without indentation, as it is sent to CloudFormation.</summary>
    public static string GenerateCompact(ClusterDescription cluster, DeploymentType type) =>
        Build(cluster, type).ToJsonString(Compact);

    private const string HasPublicDashboardUrl = "HasPublicDashboardUrl";

    public static JsonObject Build(ClusterDescription cluster, DeploymentType type)
    {
        var t = new TemplateContext(cluster, type, []);
        NetworkResources.Add(t);
        SecurityResources.Add(t);
        StorageResources.Add(t);
        IamResources.Add(t);
        InstanceResources.Add(t);
        return new JsonObject
        {
            ["AWSTemplateFormatVersion"] = "2010-09-09",
            ["Description"] = $"Atlas cluster ({type.ToString().ToLowerInvariant()}): a master, {cluster.Workers.Count} static worker(s) and dynamic workers; generated, do not edit",
            ["Parameters"] = Parameters(),
            ["Conditions"] = new JsonObject
            {
                ["HasImageId"] = Fn.Not(Fn.Equals(Fn.Ref(TemplateNames.ImageId), "")),
                [HasPublicDashboardUrl] = Fn.Not(Fn.Equals(Fn.Ref(TemplateNames.PublicDashboardUrl), "")),
            },
            ["Resources"] = t.Resources,
            ["Outputs"] = Outputs(t),
        };
    }

    private static JsonObject Parameters()
    {
        static JsonObject P(string type, string description, JsonNode? defaultValue = null, Action<JsonObject>? more = null)
        {
            var p = new JsonObject { ["Type"] = type, ["Description"] = description };
            if (defaultValue is not null)
            {
                p["Default"] = defaultValue;
            }
            more?.Invoke(p);
            return p;
        }
        const string instanceType = "^[a-z][a-z0-9-]*\\.[a-z0-9]+$";
        return new JsonObject
        {
            [TemplateNames.KeyName] = P("AWS::EC2::KeyPair::KeyName", "the EC2 key pair for SSH to the nodes (--keypair)"),
            [TemplateNames.InboundCidr] = P("String", "who may reach SSH, the gateway, the dashboard and Keycloak (--inbound-cidr)", null,
                p => p["AllowedPattern"] = "^(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}$"),
            [TemplateNames.MasterInstanceType] = P("String", "the master's instance type", "m5.large", p => p["AllowedPattern"] = instanceType),
            [TemplateNames.WorkerInstanceType] = P("String", "the workers' instance type", "m5.large", p => p["AllowedPattern"] = instanceType),
            [TemplateNames.GpuWorkerInstanceType] = P("String", "the instance type of dynamic workers for jobs that ask for GPUs", "g4dn.xlarge",
                p => p["AllowedPattern"] = instanceType),
            [TemplateNames.ImageId] = P("String", "an AMI for every node (--ami); empty: the latest Amazon Linux 2023", ""),
            [TemplateNames.LatestImage] = P("AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "the image used when ImageId is empty", DefaultImageParameter),
            [TemplateNames.MaxDynamicWorkers] = P("Number", "how many workers the master may add (0: none)", 5, p => p["MinValue"] = 0),
            [TemplateNames.MaxIdleWorkerSeconds] = P("Number", "a dynamic worker idle this long is terminated", 600, p => p["MinValue"] = 60),
            [TemplateNames.IdleShutdownMinutes] = P("Number", "with no job this long, every dynamic worker is stopped (0: never)", 0, p => p["MinValue"] = 0),
            [TemplateNames.Spot] = P("String", "dynamic workers on spot instances", "false", p => p["AllowedValues"] = new JsonArray("true", "false")),
            [TemplateNames.SpotMaxPrice] = P("String", "the most to pay per spot instance hour, in USD (empty: the on-demand price)", ""),
            [TemplateNames.ArtifactsUrl] = P("String", "a release to fetch the bundles from instead of the stack's bucket (--artifacts-url)", ""),
            [TemplateNames.AtlasVersion] = P("String", "the Atlas version the nodes install", "0.0.0"),
            [TemplateNames.PublicDashboardUrl] = P("String", "the dashboard's URL as browsers open it, for Keycloak's login (--dashboard-url; empty: the master's public name, localhost behind the bastion)", "",
                p => p["AllowedPattern"] = "^(https?://[^\\s|&'\"]+)?$"),
        };
    }

    private static JsonObject Outputs(TemplateContext t)
    {
        var master = "${" + TemplateNames.MasterInstance + "." + t.MasterAddressAttribute + "}";
        var ports = t.Cluster.Ports;
        var outputs = new JsonObject
        {
            [TemplateNames.GatewayUrlOutput] = Output($"the gateway: the CLI's scheduler_url{(t.Secure ? " (through the bastion's tunnel)" : "")}",
                Fn.Sub($"http://{master}:{ports.Gateway}")),
            [TemplateNames.DashboardUrlOutput] = Output("the Atlas dashboard",
                Fn.If(HasPublicDashboardUrl, Fn.Ref(TemplateNames.PublicDashboardUrl), Fn.Sub($"http://{master}:{ports.Dashboard}"))),
            [TemplateNames.VersionOutput] = Output("the Atlas version the nodes install", Fn.Ref(TemplateNames.AtlasVersion)),
            [TemplateNames.BucketOutput] = Output("the stack's artifacts bucket", Fn.Ref(TemplateNames.ArtifactsBucket)),
        };
        if (t.Secure)
        {
            var privateIp = "${" + TemplateNames.MasterInstance + ".PrivateIp}";
            outputs[TemplateNames.TunnelOutput] = Output("reach the gateway and dashboard on localhost through the bastion",
                Fn.Sub($"ssh -N -L {ports.Gateway}:{privateIp}:{ports.Gateway} -L {ports.Dashboard}:{privateIp}:{ports.Dashboard} ec2-user@${{{InstanceResources.Bastion}.PublicDnsName}}"));
        }
        return outputs;
    }

    private static JsonObject Output(string description, JsonNode value) => new() { ["Description"] = description, ["Value"] = value };
}
