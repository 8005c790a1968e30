using System.CommandLine;
using System.Globalization;
using Atlas.Deploy.Aws.CloudFormation;
using Atlas.Deploy.Aws.Deployment;
using Atlas.Deploy.Aws.Settings;

namespace Atlas.Cli.Commands.Deploy;

/// <summary>What every <c>atlas deploy aws</c> verb takes: where AWS is, and how to reach it.</summary>
internal sealed class AwsOptions
{
    /// <summary>How often <c>up</c> and <c>down</c> ask CloudFormation how far it got; <c>ATLAS_DEPLOY_POLL_MS</c> overrides it.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(5);

    public Option<string?> Region { get; } = new("--region") { Description = "the AWS region (default: awscli's, from AWS_REGION or ~/.aws/config)" };

    public Option<string?> EndpointUrl { get; } = new("--endpoint-url")
    {
        Description = "send every AWS call here instead (LocalStack, a test's stand-in); AWS_ENDPOINT_URL does the same",
    };

    public Option<string> ClusterId(bool required) => new("--cluster-id")
    {
        Description = "the cluster's name: the CloudFormation stack's name",
        Required = required,
    };

    /// <summary>A verb on one named cluster: <c>--cluster-id</c> (checked) and the AWS options, its action run through <see cref="RunAsync"/>.</summary>
    public static Command ClusterVerb(string name, string description, CliContext context,
        Func<ParseResult, AwsOptions, string, CancellationToken, Task<int>> action)
    {
        var aws = new AwsOptions();
        var clusterId = aws.ClusterId(required: true);
        var command = new Command(name, description) { clusterId };
        aws.AddTo(command);
        CommandAction.Set(command, context, (parse, cancellationToken) =>
            RunAsync(() => action(parse, aws, CheckedClusterId(parse.GetValue(clusterId)!), cancellationToken)));
        return command;
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Region);
        command.Options.Add(EndpointUrl);
    }

    public StackClient Stacks(ParseResult parse, CliContext context)
    {
        var endpoint = parse.GetValue(EndpointUrl);
        if (endpoint is not null && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            throw new CliException($"--endpoint-url: '{endpoint}' is not an absolute URL", 2);
        }
        return new StackClient(AwsCli.FromEnvironment(context.Environment, parse.GetValue(Region), endpoint));
    }

    public ClusterDeployer Deployer(ParseResult parse, CliContext context)
    {
        var poll = context.Environment("ATLAS_DEPLOY_POLL_MS") is { } ms && int.TryParse(ms, CultureInfo.InvariantCulture, out var n) && n > 0
            ? TimeSpan.FromMilliseconds(n) : DefaultPollInterval;
        return new ClusterDeployer(Stacks(parse, context), context.Time, poll, line => context.Error.WriteLine(line));
    }

    public static string CheckedClusterId(string value) =>
        Ec2Names.IsClusterId(value) ? value
            : throw new CliException($"--cluster-id: '{value}' is not a stack name (a letter, then up to 99 letters, digits or hyphens)", 2);

    /// <summary>Runs a deploy verb, turning AWS's refusals and deployment failures into one line and exit code 1.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (AwsCliException ex)
        {
            throw new CliException($"aws: {ex.Message}");
        }
        catch (DeployException ex)
        {
            throw new CliException(ex.Message);
        }
    }
}
