namespace Atlas.Cli;

/// <summary>A problem to report in one line, with the exit code to end with (2 for a usage mistake).</summary>
public sealed class CliException : Exception
{
    public CliException(string message, int exitCode = 1) : base(message) => ExitCode = exitCode;

    public CliException() { }

    public CliException(string message, Exception innerException) : base(message, innerException) { }

    public int ExitCode { get; } = 1;
}
