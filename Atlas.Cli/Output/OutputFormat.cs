namespace Atlas.Cli.Output;

/// <summary><c>--output</c>: a table for people, or plain JSON on stdout for scripts.</summary>
public enum OutputFormat
{
    Table,
    Json,
}
