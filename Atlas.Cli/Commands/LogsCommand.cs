using System.CommandLine;
using Atlas.Cli.Api;

namespace Atlas.Cli.Commands;

/// <summary><c>atlas logs [-f] &lt;id&gt;</c>: the job's output; with <c>-f</c>, live until the job ends.</summary>
internal static class LogsCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var id = CommandAction.JobId();
        var follow = new Option<bool>("--follow", "-f") { Description = "keep printing as the job writes, until it ends" };
        var logs = new Command("logs", "Print a job's output (stdout and stderr).") { id, follow };
        CommandAction.Set(logs, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            await CopyToAsync(client, parse.GetValue(id)!, parse.GetValue(follow), context, cancellationToken);
            return 0;
        });
        return logs;
    }

    /// <summary>Writes the job's log bytes to the CLI's stdout as they arrive.</summary>
    public static async Task CopyToAsync(AtlasApiClient client, string id, bool follow, CliContext context, CancellationToken cancellationToken)
    {
        await context.Out.FlushAsync(cancellationToken);
        await using var output = new TextWriterStream(context.Out);
        await client.CopyLogsAsync(id, follow, output, cancellationToken);
    }
}
