using System.CommandLine;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas stop &lt;id&gt;</c>: cancel a queued job, or stop a running one (SIGTERM, then SIGKILL after a
/// grace period). <c>atlas stop --all-queued [--user U | --everyone]</c>: cancel every waiting job of
/// the caller (an admin: of user U, or of everyone). <c>atlas stop --group G</c>: every job of a
/// group that has not ended, in one step.
/// </summary>
internal static class StopCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var id = CommandAction.JobId();
        id.Arity = ArgumentArity.ZeroOrOne;
        var allQueued = new Option<bool>("--all-queued") { Description = "cancel all your waiting jobs (queued, or held on dependencies) instead of one" };
        var user = new Option<string?>("--user") { Description = "with --all-queued, an admin: that user's waiting jobs (user name or subject)" };
        var everyone = new Option<bool>("--everyone") { Description = "with --all-queued, an admin: everyone's waiting jobs" };
        var group = new Option<string?>("--group") { Description = "stop every job of this group (a sweep or an array) that has not ended" };
        var stop = new Command("stop", "Stop a job: it ends as cancelled. With --all-queued, cancel your waiting jobs; with --group, a group's jobs.") { id, allQueued, user, everyone, group };
        CommandAction.Set(stop, context, async (parse, cancellationToken) =>
        {
            var jobId = parse.GetValue(id);
            if (parse.GetValue(group) is { } g)
            {
                if (jobId is not null || parse.GetValue(allQueued))
                {
                    throw new CliException("--group: give a job id, --all-queued or --group, one of them", 2);
                }
                if (!Core.Jobs.GroupId.IsValid(g))
                {
                    throw new CliException($"--group: '{g}' is not a group id", 2);
                }
                using var groups = globals.Client(parse, context);
                var stopped = await groups.StopGroupAsync(g, cancellationToken);
                await context.Out.WriteLineAsync($"{stopped.Id}: {stopped.Cancelled} cancelled, {stopped.Stopping} stopping, {stopped.AlreadyEnded} already ended");
                return 0;
            }
            if (!parse.GetValue(allQueued))
            {
                if (parse.GetValue(user) is not null || parse.GetValue(everyone))
                {
                    throw new CliException("--user and --everyone go with --all-queued", 2);
                }
                if (jobId is null)
                {
                    throw new CliException("give a job id, or --all-queued, or --group G", 2);
                }
                using var one = globals.Client(parse, context);
                var job = await one.StopAsync(jobId, cancellationToken);
                await context.Out.WriteLineAsync(job.State == Core.Jobs.JobState.Cancelled ? $"{job.Id} cancelled" : $"{job.Id} stopping");
                return 0;
            }
            if (jobId is not null)
            {
                throw new CliException("--all-queued takes no job id", 2);
            }
            if (parse.GetValue(user) is not null && parse.GetValue(everyone))
            {
                throw new CliException("--user and --everyone: give one of them", 2);
            }
            if (parse.GetValue(user) is { Length: 0 })
            {
                throw new CliException("--user: give a user name", 2);
            }
            using var client = globals.Client(parse, context);
            var result = await client.StopQueuedAsync(parse.GetValue(user), parse.GetValue(everyone), cancellationToken);
            var whose = result.Scope switch
            {
                "everyone" => "everyone's",
                "mine" => "your",
                _ => $"{result.Scope["user:".Length..]}'s",
            };
            await context.Out.WriteLineAsync($"{result.Cancelled} of {whose} waiting jobs cancelled");
            return 0;
        });
        return stop;
    }
}
