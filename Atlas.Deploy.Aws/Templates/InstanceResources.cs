using System.Globalization;
using System.Text.Json.Nodes;

namespace Atlas.Deploy.Aws.Templates;

/// <summary>
/// The master, one instance per static worker, the launch template the master starts dynamic
/// workers from, and the bastion for <c>secure</c>. Every node boots from <see cref="UserDataScript"/>.
/// </summary>
internal static class InstanceResources
{
    public const string WorkerLaunchTemplate = "WorkerLaunchTemplate";
    public const string StaticWorkerLaunchTemplate = "StaticWorkerLaunchTemplate";
    public const string Bastion = "Bastion";

    public static JsonObject Image() => Fn.If("HasImageId", Fn.Ref(TemplateNames.ImageId), Fn.Ref(TemplateNames.LatestImage));

    public static void Add(TemplateContext t)
    {
        // A node boots once the network can reach S3 and, with EFS, once the mount target exists.
        var dependsOn = new JsonArray();
        if (t.OwnVpc)
        {
            dependsOn.Add(t.Secure ? "PrivateRouteTableDefaultRoute" : "PublicRouteTableDefaultRoute");
        }
        if (t.Efs)
        {
            dependsOn.Add("SharedMountTarget");
        }
        var extra = dependsOn.Count > 0 ? new JsonObject { ["DependsOn"] = dependsOn } : null;

        t.Add(TemplateNames.MasterInstance, "AWS::EC2::Instance",
            Instance(t, TemplateNames.MasterInstanceType, IamResources.MasterProfile, SecurityResources.Master, t.NodeSubnet,
                "master", "master", UserDataScript.For(t, master: true)), extra);
        // Static workers share one launch template (the boot script once, not once per worker);
        // dynamic workers get their own, whose role tag is the only one the master may end.
        if (t.Cluster.Workers.Count > 0)
        {
            t.Add(StaticWorkerLaunchTemplate, "AWS::EC2::LaunchTemplate", new JsonObject
            {
                ["LaunchTemplateName"] = Fn.Sub("${AWS::StackName}-static-worker"),
                ["LaunchTemplateData"] = LaunchData(t, "worker"),
            }, extra?.DeepClone().AsObject());
        }
        for (var i = 0; i < t.Cluster.Workers.Count; i++)
        {
            t.Add("StaticWorker" + (i + 1).ToString(CultureInfo.InvariantCulture), "AWS::EC2::Instance", new JsonObject
            {
                ["LaunchTemplate"] = new JsonObject
                {
                    ["LaunchTemplateId"] = Fn.Ref(StaticWorkerLaunchTemplate),
                    ["Version"] = Fn.GetAtt(StaticWorkerLaunchTemplate, "LatestVersionNumber"),
                },
                ["Tags"] = Fn.Tags(Fn.NameTag(t.Cluster.Workers[i]), Fn.ClusterTag(), (TemplateNames.RoleTag, "worker")),
            });
        }
        t.Add(WorkerLaunchTemplate, "AWS::EC2::LaunchTemplate", new JsonObject
        {
            ["LaunchTemplateName"] = Fn.Sub("${AWS::StackName}-worker"),
            ["LaunchTemplateData"] = LaunchData(t, TemplateNames.DynamicWorkerRole),
        });
        if (t.Secure)
        {
            t.Add(Bastion, "AWS::EC2::Instance",
                Instance(t, null, null, SecurityResources.Bastion, "PublicSubnet", "bastion", "bastion", null),
                new JsonObject { ["DependsOn"] = "PublicRouteTableDefaultRoute" });
        }
    }

    private static JsonObject Instance(TemplateContext t, string? typeParameter, string? profile, string group, string? subnet,
        string name, string role, string? userData)
    {
        var properties = new JsonObject
        {
            ["ImageId"] = Image(),
            ["InstanceType"] = typeParameter is null ? "t3.micro" : Fn.Ref(typeParameter),
            ["KeyName"] = Fn.Ref(TemplateNames.KeyName),
        };
        if (profile is not null)
        {
            properties["IamInstanceProfile"] = Fn.Ref(profile);
        }
        properties["SecurityGroupIds"] = new JsonArray(SecurityResources.Id(group));
        if (subnet is not null)
        {
            properties["SubnetId"] = Fn.Ref(subnet);
        }
        properties["BlockDeviceMappings"] = RootVolume(role == "bastion" ? 8 : 100);
        if (userData is not null)
        {
            properties["UserData"] = Fn.Base64(Fn.Sub(userData));
        }
        properties["Tags"] = Fn.Tags(Fn.NameTag(name), Fn.ClusterTag(), (TemplateNames.RoleTag, role));
        return properties;
    }

    private static JsonObject LaunchData(TemplateContext t, string role)
    {
        var data = new JsonObject
        {
            ["ImageId"] = Image(),
            ["InstanceType"] = Fn.Ref(TemplateNames.WorkerInstanceType),
            ["KeyName"] = Fn.Ref(TemplateNames.KeyName),
            ["IamInstanceProfile"] = new JsonObject { ["Arn"] = Fn.GetAtt(IamResources.WorkerProfile, "Arn") },
        };
        if (t.NodeSubnet is null)
        {
            data["SecurityGroupIds"] = new JsonArray(SecurityResources.Id(SecurityResources.Worker));
        }
        else
        {
            data["NetworkInterfaces"] = new JsonArray(new JsonObject
            {
                ["DeviceIndex"] = 0,
                ["SubnetId"] = Fn.Ref(t.NodeSubnet),
                ["Groups"] = new JsonArray(SecurityResources.Id(SecurityResources.Worker)),
                ["AssociatePublicIpAddress"] = !t.Secure,
            });
        }
        data["BlockDeviceMappings"] = RootVolume(100);
        data["MetadataOptions"] = new JsonObject { ["HttpTokens"] = "required" };
        data["UserData"] = Fn.Base64(Fn.Sub(UserDataScript.For(t, master: false)));
        data["TagSpecifications"] = new JsonArray(
            Tagged("instance", role),
            Tagged("volume", role));
        return data;
    }

    private static JsonObject Tagged(string resourceType, string role) => new()
    {
        ["ResourceType"] = resourceType,
        ["Tags"] = Fn.Tags(Fn.NameTag(role), Fn.ClusterTag(), (TemplateNames.RoleTag, role)),
    };

    private static JsonArray RootVolume(int gibibytes) => new(new JsonObject
    {
        ["DeviceName"] = "/dev/xvda",
        ["Ebs"] = new JsonObject { ["VolumeSize"] = gibibytes, ["VolumeType"] = "gp3", ["Encrypted"] = true, ["DeleteOnTermination"] = true },
    });
}
