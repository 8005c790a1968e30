using System.CommandLine;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas stop &lt;id&gt;</c>: cancel a queued job, or stop a running one (SIGTERM, then SIGKILL after a grace period).
/// <c>atlas stop --group G</c>: the same for every job of a group that has not ended, in one step.
/// </summary>
internal static class StopCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var id = CommandAction.JobId();
        id.Arity = ArgumentArity.ZeroOrOne;
        var group = new Option<string?>("--group") { Description = "stop every job of this group (a sweep or an array) that has not ended" };
        var stop = new Command("stop", "Stop a job: it ends as cancelled.") { id, group };
        CommandAction.Set(stop, context, async (parse, cancellationToken) =>
        {
            using var client = globals.Client(parse, context);
            if (parse.GetValue(group) is { } g)
            {
                if (parse.GetValue(id) is not null)
                {
                    throw new CliException("--group: give a job id or --group, not both", 2);
                }
                if (!Core.Jobs.GroupId.IsValid(g))
                {
                    throw new CliException($"--group: '{g}' is not a group id", 2);
                }
                var stopped = await client.StopGroupAsync(g, cancellationToken);
                await context.Out.WriteLineAsync($"{stopped.Id}: {stopped.Cancelled} cancelled, {stopped.Stopping} stopping, {stopped.AlreadyEnded} already ended");
                return 0;
            }
            if (parse.GetValue(id) is null)
            {
                throw new CliException("give the id of the job to stop (or --group G)", 2);
            }
            var job = await client.StopAsync(parse.GetValue(id)!, cancellationToken);
            await context.Out.WriteLineAsync(job.State == Core.Jobs.JobState.Cancelled ? $"{job.Id} cancelled" : $"{job.Id} stopping");
            return 0;
        });
        return stop;
    }
}
