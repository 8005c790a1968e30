using System.Text.Json.Nodes;
using Atlas.Deploy.Aws.Clusters;

namespace Atlas.Deploy.Aws.Templates;

/// <summary>
/// The seed's rules as security groups. From the inbound CIDR: SSH, and the gateway, dashboard and
/// Keycloak on the master (for <c>secure</c>, SSH to the bastion only, and the rest from the
/// bastion). Redis, NFS, OTLP and all other master↔worker traffic only between the cluster's own
/// groups; EFS only from them.
/// </summary>
internal static class SecurityResources
{
    public const string Master = "MasterSecurityGroup";
    public const string Worker = "WorkerSecurityGroup";
    public const string Bastion = "BastionSecurityGroup";
    public const string Efs = "EfsSecurityGroup";

    public static JsonObject Id(string group) => Fn.GetAtt(group, "GroupId");

    public static void Add(TemplateContext t)
    {
        var ports = t.Cluster.Ports;
        if (t.Secure)
        {
            Group(t, Bastion, "Atlas bastion: SSH from the inbound CIDR", [FromCidr(ClusterPorts.Ssh)]);
        }
        // Behind the bastion, users reach the master through it (an SSH tunnel).
        JsonObject Public(int port) => t.Secure ? FromGroup(port, Bastion) : FromCidr(port);
        Group(t, Master, "Atlas master: SSH, gateway, dashboard and Keycloak from the inbound CIDR",
            [Public(ClusterPorts.Ssh), Public(ports.Gateway), Public(ports.Dashboard), Public(ports.Keycloak)]);
        Group(t, Worker, "Atlas workers: SSH from the inbound CIDR; the rest from the master only", [Public(ClusterPorts.Ssh)]);

        // Between the master's and the workers' groups, every TCP port: Redis, NFS, OTLP, the
        // master's port, a worker's HOST_ADDRESS, and whatever ports the bare-metal bundle gives
        // its services. Separate rules, so the two groups can name each other without a cycle.
        Ingress(t, "WorkersToMasterIngress", Master, Worker, 0, 65535);
        Ingress(t, "MasterToWorkersIngress", Worker, Master, 0, 65535);
        if (t.Efs)
        {
            Group(t, Efs, "Atlas shared root on EFS: NFS from the cluster nodes only", []);
            Ingress(t, "MasterToEfsIngress", Efs, Master, ClusterPorts.Nfs, ClusterPorts.Nfs);
            Ingress(t, "WorkerToEfsIngress", Efs, Worker, ClusterPorts.Nfs, ClusterPorts.Nfs);
        }
    }

    private static JsonObject FromCidr(int port) => new()
    {
        ["IpProtocol"] = "tcp",
        ["FromPort"] = port,
        ["ToPort"] = port,
        ["CidrIp"] = Fn.Ref(TemplateNames.InboundCidr),
    };

    private static JsonObject FromGroup(int port, string group) => new()
    {
        ["IpProtocol"] = "tcp",
        ["FromPort"] = port,
        ["ToPort"] = port,
        ["SourceSecurityGroupId"] = Id(group),
    };

    private static void Group(TemplateContext t, string name, string description, JsonObject[] ingress)
    {
        var properties = new JsonObject { ["GroupDescription"] = description };
        if (t.OwnVpc)
        {
            properties["VpcId"] = Fn.Ref("Vpc");
        }
        if (ingress.Length > 0)
        {
            properties["SecurityGroupIngress"] = new JsonArray([.. ingress]);
        }
        properties["Tags"] = Fn.Tags(Fn.NameTag(name.Replace("SecurityGroup", "", StringComparison.Ordinal).ToLowerInvariant()), Fn.ClusterTag());
        t.Add(name, "AWS::EC2::SecurityGroup", properties);
    }

    private static void Ingress(TemplateContext t, string name, string group, string source, int from, int to) =>
        t.Add(name, "AWS::EC2::SecurityGroupIngress", new JsonObject
        {
            ["GroupId"] = Id(group),
            ["IpProtocol"] = "tcp",
            ["FromPort"] = from,
            ["ToPort"] = to,
            ["SourceSecurityGroupId"] = Id(source),
            ["Description"] = (from == to ? $"port {from}" : "all TCP") + $" from {source.Replace("SecurityGroup", "", StringComparison.Ordinal).ToLowerInvariant()}",
        });
}
