using System.CommandLine;
using System.Globalization;
using Atlas.Cli.Output;

namespace Atlas.Cli.Commands;

/// <summary><c>atlas ls</c>: jobs, newest first.</summary>
internal static class ListCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var project = new Option<string?>("--project") { Description = "only this project's jobs" };
        var state = new Option<string?>("--state") { Description = "only jobs in this state (queued, running, succeeded, failed, …)" };
        var limit = new Option<int?>("--limit") { Description = "at most this many (default 100)" };
        var ls = new Command("ls", "List jobs, newest first.") { project, state, limit };
        CommandAction.Set(ls, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            var jobs = await client.ListJobsAsync(parse.GetValue(project), parse.GetValue(state), parse.GetValue(limit), cancellationToken);
            if (parse.GetValue(globals.Output) == OutputFormat.Json)
            {
                JsonOutput.Write(context.Out, jobs);
                return 0;
            }
            var now = context.Time.GetUtcNow();
            var table = Tables.Create(context, "id", "name", "project", "user", "state", "node", "submitted", "duration", "exit");
            foreach (var j in jobs)
            {
                table.Row(
                    j.Id, j.Name ?? "-", j.Project, j.Username ?? "-", j.State.ToString().ToLowerInvariant(), j.Node ?? "-",
                    Formats.Time(j.SubmittedAt), Formats.Duration(j.StartedAt, j.FinishedAt, now),
                    j.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-");
            }
            CliConsole.Write(context, table);
            return 0;
        });
        return ls;
    }
}
