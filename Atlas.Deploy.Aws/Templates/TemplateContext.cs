using System.Text.Json.Nodes;
using Atlas.Deploy.Aws.Clusters;

namespace Atlas.Deploy.Aws.Templates;

/// <summary>What every section of the template reads: the cluster, the deployment type, and the resources so far.</summary>
internal sealed record TemplateContext(ClusterDescription Cluster, DeploymentType Type, JsonObject Resources)
{
    public bool OwnVpc => Type != DeploymentType.Simple;

    public bool Efs => Type is DeploymentType.Efs or DeploymentType.Secure;

    public bool Secure => Type == DeploymentType.Secure;

    /// <summary>The subnet the master and the workers run in; null in the default VPC.</summary>
    public string? NodeSubnet => Type switch
    {
        DeploymentType.Simple => null,
        DeploymentType.Secure => "PrivateSubnet",
        _ => "PublicSubnet",
    };

    /// <summary>The master's address that users reach: public, except behind the bastion.</summary>
    public string MasterAddressAttribute => Secure ? "PrivateIp" : "PublicDnsName";

    public void Add(string name, string type, JsonObject properties, JsonObject? extra = null)
    {
        var resource = new JsonObject { ["Type"] = type };
        foreach (var (key, value) in extra ?? [])
        {
            resource[key] = value?.DeepClone();
        }
        resource["Properties"] = properties;
        Resources[name] = resource;
    }
}
