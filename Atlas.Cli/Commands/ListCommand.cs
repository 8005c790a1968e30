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
        var columns = new Option<string?>("--columns") { Description = "with --project: extra columns, each a metric (its last value), param or tag (loss,lr)" };
        var group = new Option<string?>("--group") { Description = "only this group's jobs (a sweep or an array), in their order" };
        var ls = new Command("ls", "List jobs, newest first.") { project, state, limit, columns, group };
        CommandAction.Set(ls, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            if (Numbers.List(parse.GetValue(columns)) is { } extra)
            {
                return await RunsAsync(client, parse.GetValue(project), extra, parse.GetValue(limit), parse.GetValue(globals.Output), context, cancellationToken);
            }
            var jobs = parse.GetValue(group) is { } g
                ? await GroupJobsAsync(client, g, parse.GetValue(project), parse.GetValue(state), parse.GetValue(limit), cancellationToken)
                : await client.ListJobsAsync(parse.GetValue(project), parse.GetValue(state), parse.GetValue(limit), cancellationToken);
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

    // A group's jobs in their expansion order; --project and --state filter them here.
    private static async Task<List<Core.Jobs.JobView>> GroupJobsAsync(
        Api.AtlasApiClient client, string group, string? project, string? state, int? limit, CancellationToken cancellationToken)
    {
        if (!Core.Jobs.GroupId.IsValid(group))
        {
            throw new CliException($"--group: '{group}' is not a group id (g followed by 16 characters, as `atlas submit --sweep` printed)", 2);
        }
        if (state is not null && !Enum.TryParse<Core.Jobs.JobState>(state, ignoreCase: true, out _))
        {
            throw new CliException($"--state: unknown state '{state}'", 2);
        }
        var jobs = await client.ListGroupJobsAsync(group, null, cancellationToken);
        return [.. jobs
            .Where(j => project is null || j.Project == project)
            .Where(j => state is null || string.Equals(j.State.ToString(), state, StringComparison.OrdinalIgnoreCase))
            .Take(limit ?? int.MaxValue)];
    }

    // The project's runs: params, tags and metric summaries in one call.
    private static async Task<int> RunsAsync(Api.AtlasApiClient client, string? project, IReadOnlyCollection<string> columns, int? limit,
        OutputFormat format, CliContext context, CancellationToken cancellationToken)
    {
        if (project is null)
        {
            throw new CliException("--columns: give --project too; metric columns compare the runs of one project", 2);
        }
        if (columns.Count == 0)
        {
            throw new CliException("--columns: name at least one metric, param or tag (loss,lr)", 2);
        }
        var runs = await client.ListRunsAsync(project, columns, limit, cancellationToken);
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(context.Out, runs);
            return 0;
        }
        var table = Tables.Create(context, ["id", "name", "user", "state", "submitted", .. columns]);
        foreach (var r in runs)
        {
            table.Row([r.JobId, r.Name ?? "-", r.User ?? "-", r.State.ToString().ToLowerInvariant(), Formats.Time(r.SubmittedAt),
                .. columns.Select(c => r.Metrics.TryGetValue(c, out var m) ? Numbers.Value(m.Last) : r.Params.GetValueOrDefault(c) ?? r.Tags.GetValueOrDefault(c) ?? "-")]);
        }
        CliConsole.Write(context, table);
        return 0;
    }
}
