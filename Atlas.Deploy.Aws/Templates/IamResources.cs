using System.Text.Json.Nodes;

namespace Atlas.Deploy.Aws.Templates;

/// <summary>
/// The nodes' roles. Every node may read the stack's own artifacts and Redis password. The master
/// may also run instances only when it tags them with its cluster, and stop or terminate only
/// instances that carry both its cluster's tag and the dynamic-worker role: not another cluster's,
/// not its static workers, not itself.
/// </summary>
internal static class IamResources
{
    public const string MasterProfile = "MasterInstanceProfile";
    public const string WorkerProfile = "WorkerInstanceProfile";

    public static void Add(TemplateContext t)
    {
        Role(t, "WorkerRole", WorkerProfile, NodeStatements());
        var master = NodeStatements();
        master.Add(Statement("RunOnlyTaggedInstances", ["ec2:RunInstances"], [Arn("instance/*"), Arn("volume/*")],
            new JsonObject { ["StringEquals"] = new JsonObject { ["aws:RequestTag/" + TemplateNames.ClusterTag] = Fn.Ref("AWS::StackName") } }));
        master.Add(Statement("RunWithLaunchResources", ["ec2:RunInstances"],
            [Arn("subnet/*"), Arn("security-group/*"), Arn("network-interface/*"), Arn("key-pair/*"), Arn("launch-template/*"),
             Fn.Sub("arn:${AWS::Partition}:ec2:${AWS::Region}::image/*")], null));
        master.Add(Statement("TagOnlyAtLaunch", ["ec2:CreateTags"], [Arn("instance/*"), Arn("volume/*")],
            new JsonObject { ["StringEquals"] = new JsonObject { ["ec2:CreateAction"] = "RunInstances" } }));
        master.Add(Statement("EndOnlyOwnDynamicWorkers", ["ec2:TerminateInstances", "ec2:StopInstances"], [Arn("instance/*")],
            new JsonObject
            {
                ["StringEquals"] = new JsonObject
                {
                    ["ec2:ResourceTag/" + TemplateNames.ClusterTag] = Fn.Ref("AWS::StackName"),
                    ["ec2:ResourceTag/" + TemplateNames.RoleTag] = TemplateNames.DynamicWorkerRole,
                },
            }));
        master.Add(Statement("Describe", ["ec2:DescribeInstances", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"], ["*"], null));
        master.Add(Statement("PassWorkerRole", ["iam:PassRole"], [Fn.GetAtt("WorkerRole", "Arn")], null));
        Role(t, "MasterRole", MasterProfile, master);
    }

    private static JsonArray NodeStatements() =>
    [
        Statement("ReadArtifacts", ["s3:GetObject"], [Fn.Sub("${" + TemplateNames.ArtifactsBucket + ".Arn}/*")], null),
        Statement("ReadRedisPassword", ["secretsmanager:GetSecretValue"], [Fn.Ref(StorageResources.RedisPassword)], null),
    ];

    private static JsonObject Arn(string resource) => Fn.Sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:" + resource);

    private static JsonObject Statement(string sid, string[] actions, JsonNode[] resources, JsonObject? condition)
    {
        var statement = new JsonObject
        {
            ["Sid"] = sid,
            ["Effect"] = "Allow",
            ["Action"] = new JsonArray([.. actions.Select(a => (JsonNode)a)]),
            ["Resource"] = new JsonArray(resources),
        };
        if (condition is not null)
        {
            statement["Condition"] = condition;
        }
        return statement;
    }

    private static void Role(TemplateContext t, string name, string profile, JsonArray statements)
    {
        t.Add(name, "AWS::IAM::Role", new JsonObject
        {
            ["AssumeRolePolicyDocument"] = new JsonObject
            {
                ["Version"] = "2012-10-17",
                ["Statement"] = new JsonArray(new JsonObject
                {
                    ["Effect"] = "Allow",
                    ["Principal"] = new JsonObject { ["Service"] = "ec2.amazonaws.com" },
                    ["Action"] = "sts:AssumeRole",
                }),
            },
            ["Policies"] = new JsonArray(new JsonObject
            {
                ["PolicyName"] = "atlas-node",
                ["PolicyDocument"] = new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = statements },
            }),
            ["Tags"] = Fn.Tags(Fn.ClusterTag()),
        });
        t.Add(profile, "AWS::IAM::InstanceProfile", new JsonObject { ["Roles"] = new JsonArray(Fn.Ref(name)) });
    }
}
