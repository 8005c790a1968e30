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
                Table.Json(context.Out, jobs);
                return 0;
            }
            var now = DateTimeOffset.UtcNow;
            Table.Write(context.Out, ["id", "name", "project", "user", "state", "node", "submitted", "duration", "exit"],
                jobs.Select(j => (IReadOnlyList<string>)
                [
                    j.Id, j.Name ?? "-", j.Project, j.Username ?? "-", j.State.ToString().ToLowerInvariant(), j.Node ?? "-",
                    Table.Time(j.SubmittedAt), Table.Duration(j.StartedAt, j.FinishedAt, now),
                    j.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-",
                ]));
            return 0;
        });
        return ls;
    }
}
