using System.Text.Json.Nodes;

namespace Atlas.Deploy.Aws.Templates;

/// <summary>The VPC, its subnets and routes (none for <c>simple</c>, which uses the default VPC).</summary>
internal static class NetworkResources
{
    public const string VpcCidr = "10.40.0.0/16";

    public static void Add(TemplateContext t)
    {
        if (!t.OwnVpc)
        {
            return;
        }
        t.Add("Vpc", "AWS::EC2::VPC", new JsonObject
        {
            ["CidrBlock"] = VpcCidr,
            ["EnableDnsHostnames"] = true,
            ["EnableDnsSupport"] = true,
            ["Tags"] = Fn.Tags(Fn.NameTag("vpc"), Fn.ClusterTag()),
        });
        t.Add("InternetGateway", "AWS::EC2::InternetGateway", new JsonObject { ["Tags"] = Fn.Tags(Fn.NameTag("igw"), Fn.ClusterTag()) });
        t.Add("GatewayAttachment", "AWS::EC2::VPCGatewayAttachment", new JsonObject
        {
            ["VpcId"] = Fn.Ref("Vpc"),
            ["InternetGatewayId"] = Fn.Ref("InternetGateway"),
        });
        Subnet(t, "PublicSubnet", "10.40.0.0/20", mapPublicIp: true);
        RouteTable(t, "PublicRouteTable", "PublicSubnet", new JsonObject { ["GatewayId"] = Fn.Ref("InternetGateway") }, "GatewayAttachment");
        if (!t.Secure)
        {
            return;
        }
        Subnet(t, "PrivateSubnet", "10.40.16.0/20", mapPublicIp: false);
        t.Add("NatAddress", "AWS::EC2::EIP", new JsonObject { ["Domain"] = "vpc", ["Tags"] = Fn.Tags(Fn.NameTag("nat"), Fn.ClusterTag()) },
            new JsonObject { ["DependsOn"] = "GatewayAttachment" });
        t.Add("NatGateway", "AWS::EC2::NatGateway", new JsonObject
        {
            ["AllocationId"] = Fn.GetAtt("NatAddress", "AllocationId"),
            ["SubnetId"] = Fn.Ref("PublicSubnet"),
            ["Tags"] = Fn.Tags(Fn.NameTag("nat"), Fn.ClusterTag()),
        });
        RouteTable(t, "PrivateRouteTable", "PrivateSubnet", new JsonObject { ["NatGatewayId"] = Fn.Ref("NatGateway") }, null);
    }

    private static void Subnet(TemplateContext t, string name, string cidr, bool mapPublicIp) =>
        t.Add(name, "AWS::EC2::Subnet", new JsonObject
        {
            ["VpcId"] = Fn.Ref("Vpc"),
            ["CidrBlock"] = cidr,
            ["AvailabilityZone"] = Fn.FirstAvailabilityZone(),
            ["MapPublicIpOnLaunch"] = mapPublicIp,
            ["Tags"] = Fn.Tags(Fn.NameTag(name == "PublicSubnet" ? "public" : "private"), Fn.ClusterTag()),
        });

    private static void RouteTable(TemplateContext t, string name, string subnet, JsonObject target, string? dependsOn)
    {
        t.Add(name, "AWS::EC2::RouteTable", new JsonObject { ["VpcId"] = Fn.Ref("Vpc"), ["Tags"] = Fn.Tags(Fn.ClusterTag()) });
        var route = new JsonObject { ["RouteTableId"] = Fn.Ref(name), ["DestinationCidrBlock"] = "0.0.0.0/0" };
        foreach (var (key, value) in target)
        {
            route[key] = value?.DeepClone();
        }
        t.Add(name + "DefaultRoute", "AWS::EC2::Route", route, dependsOn is null ? null : new JsonObject { ["DependsOn"] = dependsOn });
        t.Add(name + "Association", "AWS::EC2::SubnetRouteTableAssociation", new JsonObject
        {
            ["RouteTableId"] = Fn.Ref(name),
            ["SubnetId"] = Fn.Ref(subnet),
        });
    }
}
