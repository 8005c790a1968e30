using System.CommandLine;
using Atlas.Cli.Output;
using Atlas.Core.Schedules;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas schedule add|ls|pause|resume|rm</c>: jobs the cluster submits on a cron schedule,
/// from a bundle stored when the schedule is added.
/// </summary>
internal static class ScheduleCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var schedule = new Command("schedule", "Submit a job on a cron schedule: add, ls, pause, resume, rm.");
        schedule.Subcommands.Add(Add(globals, context));
        schedule.Subcommands.Add(List(globals, context));
        schedule.Subcommands.Add(Change(globals, context, "pause", "Stop a schedule's ticks until it is resumed.", resume: false));
        schedule.Subcommands.Add(Change(globals, context, "resume", "Run a paused schedule again from its next tick (missed ticks are skipped).", resume: true));
        schedule.Subcommands.Add(Remove(globals, context));
        return schedule;
    }

    private static Command Add(GlobalOptions globals, CliContext context)
    {
        var options = new SubmitOptions();
        var cron = new Option<string>("--cron")
        {
            Description = "when to submit: 5 cron fields (minute hour day-of-month month day-of-week), or 6 with seconds first; e.g. \"0 3 * * *\"",
        };
        var zone = new Option<string?>("--timezone") { Description = "the time zone the cron expression is read in (IANA id; default UTC)" };
        var add = new Command("add", "Store a project folder and a command, and submit them as a job on a cron schedule.");
        options.AddTo(add, cron, zone);
        CommandAction.Set(add, context, async (parse, cancellationToken) =>
        {
            if (string.IsNullOrWhiteSpace(parse.GetValue(cron)))
            {
                throw new CliException("--cron: say when to submit, e.g. --cron \"0 3 * * *\" (every day at 03:00 UTC)", 2);
            }
            var (folder, spec) = options.Read(parse, "schedule add --cron \"0 3 * * *\"");
            using var client = globals.Client(parse, context);
            var added = await ProjectUpload.WithTarballAsync(folder, context, (bundle, report) =>
                client.AddScheduleAsync(parse.GetValue(cron)!, parse.GetValue(options.Name), parse.GetValue(zone), spec, bundle, report, cancellationToken), cancellationToken);
            if (parse.GetValue(globals.Output) == OutputFormat.Json)
            {
                JsonOutput.Write(context.Out, added);
                return 0;
            }
            await context.Out.WriteLineAsync($"{added.Id} next run {Utc(added.NextRunAt)}");
            return 0;
        });
        return add;
    }

    private static Command List(GlobalOptions globals, CliContext context)
    {
        var ls = new Command("ls", "List schedules: when each runs next and how its last job went.");
        CommandAction.Set(ls, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            var schedules = await client.ListSchedulesAsync(cancellationToken);
            if (parse.GetValue(globals.Output) == OutputFormat.Json)
            {
                JsonOutput.Write(context.Out, schedules);
                return 0;
            }
            var table = Tables.Create(context, "id", "name", "cron", "next run (utc)", "paused", "last job", "state");
            foreach (var s in schedules)
            {
                table.Row(s.Id, s.Name ?? "-", Cron(s), Utc(s.NextRunAt), s.Paused ? "yes" : "no", s.LastJobId ?? "-",
                    s.LastJobState?.ToString().ToLowerInvariant() ?? (s.LastJobId is null ? "-" : "removed"));
            }
            CliConsole.Write(context, table);
            return 0;
        });
        return ls;
    }

    private static Command Change(GlobalOptions globals, CliContext context, string verb, string description, bool resume)
    {
        var key = Key();
        var command = new Command(verb, description) { key };
        CommandAction.Set(command, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            var changed = await client.PauseScheduleAsync(parse.GetValue(key)!, resume, cancellationToken);
            if (parse.GetValue(globals.Output) == OutputFormat.Json)
            {
                JsonOutput.Write(context.Out, changed);
                return 0;
            }
            await context.Out.WriteLineAsync(changed.Paused ? $"{changed.Id} paused" : $"{changed.Id} next run {Utc(changed.NextRunAt)}");
            return 0;
        });
        return command;
    }

    private static Command Remove(GlobalOptions globals, CliContext context)
    {
        var key = Key();
        var rm = new Command("rm", "Remove a schedule and its stored bundle; the jobs it submitted stay.") { key };
        CommandAction.Set(rm, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            await client.DeleteScheduleAsync(parse.GetValue(key)!, cancellationToken);
            await context.Out.WriteLineAsync($"{parse.GetValue(key)} removed");
            return 0;
        });
        return rm;
    }

    private static Argument<string> Key() => new("schedule") { Description = "the schedule's id or name (from `atlas schedule ls`)" };

    private static string Cron(ScheduleView s) =>
        string.Equals(s.TimeZone, "UTC", StringComparison.OrdinalIgnoreCase) ? s.Cron : $"{s.Cron} ({s.TimeZone})";

    private static string Utc(DateTimeOffset? at) =>
        at is null ? "-" : at.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}
