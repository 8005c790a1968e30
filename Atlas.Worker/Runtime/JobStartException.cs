namespace Atlas.Worker.Runtime;

/// <summary>The job could not start; <see cref="Exception.Message"/> is the reason shown to the user.</summary>
public sealed class JobStartException : Exception
{
    public JobStartException(string message) : base(message) { }

    public JobStartException(string message, Exception innerException) : base(message, innerException) { }

    public JobStartException() { }
}
