namespace Atlas.Cli.Config;

/// <summary>One named cluster in the CLI's config.</summary>
public sealed class CliContextEntry
{
    /// <summary>The gateway's URL, e.g. <c>http://atlas.example:5558</c>.</summary>
    public string? SchedulerUrl { get; set; }
}
