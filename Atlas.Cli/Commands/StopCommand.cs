using System.CommandLine;

namespace Atlas.Cli.Commands;

/// <summary><c>atlas stop &lt;id&gt;</c>: cancel a queued job, or stop a running one (SIGTERM, then SIGKILL after a grace period).</summary>
internal static class StopCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var id = CommandAction.JobId();
        var stop = new Command("stop", "Stop a job: it ends as cancelled.") { id };
        CommandAction.Set(stop, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            var job = await client.StopAsync(parse.GetValue(id)!, cancellationToken);
            await context.Out.WriteLineAsync(job.State == Core.Jobs.JobState.Cancelled ? $"{job.Id} cancelled" : $"{job.Id} stopping");
            return 0;
        });
        return stop;
    }
}
