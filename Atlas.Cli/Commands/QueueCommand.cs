using System.CommandLine;
using System.Globalization;
using Atlas.Cli.Output;

namespace Atlas.Cli.Commands;

/// <summary><c>atlas queue</c>: how many jobs wait, where the caller's own stand and why each waits, and the caller's limits (others' jobs are only counted).</summary>
internal static class QueueCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var queue = new Command("queue", "Show how many jobs wait and the place of each of yours.");
        CommandAction.Set(queue, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            var view = await client.GetQueueAsync(cancellationToken);
            if (parse.GetValue(globals.Output) == OutputFormat.Json)
            {
                JsonOutput.Write(context.Out, view);
                return 0;
            }
            await context.Out.WriteLineAsync($"queued: {view.Queued.ToString(CultureInfo.InvariantCulture)} (yours: {view.Yours.Count.ToString(CultureInfo.InvariantCulture)})");
            if (view.Limits is { } limits)
            {
                await context.Out.WriteLineAsync(
                    $"policy: {limits.Policy}; your running jobs: {Limit(limits.RunningJobs, limits.MaxRunningJobs)}; your GPUs: {Limit(limits.Gpus, limits.MaxGpus)}");
            }
            if (view.Yours.Count > 0)
            {
                var table = Tables.Create(context, "place", "id", "why it waits");
                foreach (var p in view.Yours)
                {
                    table.Row(p.Position.ToString(CultureInfo.InvariantCulture), p.Id, p.WaitReason ?? "");
                }
                CliConsole.Write(context, table);
            }
            return 0;
        });
        return queue;
    }

    private static string Limit(int used, int max) =>
        max > 0 ? $"{used.ToString(CultureInfo.InvariantCulture)} of {max.ToString(CultureInfo.InvariantCulture)}" : $"{used.ToString(CultureInfo.InvariantCulture)} (no limit)";
}
