namespace Atlas.Cli.Api;

/// <summary>The gateway answered with an error; <see cref="Exception.Message"/> is the one line to show.</summary>
public sealed class AtlasApiException : Exception
{
    public AtlasApiException(int status, string message) : base(message) => Status = status;

    public AtlasApiException() { }

    public AtlasApiException(string message) : base(message) { }

    public AtlasApiException(string message, Exception innerException) : base(message, innerException) { }

    public int Status { get; }
}
