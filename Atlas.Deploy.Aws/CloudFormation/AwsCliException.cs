namespace Atlas.Deploy.Aws.CloudFormation;

/// <summary>What awscli reported: AWS's error code (<c>ValidationError</c>) and message, or why it could not run.</summary>
public sealed class AwsCliException : Exception
{
    public AwsCliException(string code, string message) : base(message) => Code = code;

    public AwsCliException() { }

    public AwsCliException(string message) : base(message) { }

    public AwsCliException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>AWS's error code, or <c>AwsCli</c> when awscli itself failed.</summary>
    public string Code { get; } = "AwsCli";
}
