using System.CommandLine;

namespace Atlas.Cli.Commands.Deploy;

/// <summary><c>atlas deploy aws up|down|status|list</c>: the cluster on EC2, det-deploy style.</summary>
internal static class DeployCommand
{
    public static Command Build(CliContext context) =>
        new("deploy", "Deploy a cluster.")
        {
            new Command("aws", "A cluster on EC2 through CloudFormation (awscli and your AWS credentials).")
            {
                AwsUpCommand.Build(context),
                AwsDownCommand.Build(context),
                AwsStatusCommand.Build(context),
                AwsListCommand.Build(context),
            },
        };
}
