namespace Atlas.Deploy.Aws.Deployment;

/// <summary>A deployment that cannot go on, said in one line for the user.</summary>
public sealed class DeployException : Exception
{
    public DeployException() { }

    public DeployException(string message) : base(message) { }

    public DeployException(string message, Exception innerException) : base(message, innerException) { }
}
