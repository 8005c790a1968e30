using System.CommandLine;
using Atlas.Cli.Telemetry;
using Atlas.Core.Jobs;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas submit [options] &lt;dir&gt; -- &lt;command&gt; [args…]</c>: uploads the folder's new files (<see cref="ProjectUpload"/>) and
/// prints the job id; with <c>--wait</c>, follows the logs and exits with the job's exit code. With
/// <c>--sweep</c> or <c>--array</c> it submits a group of jobs and prints the group's id.
/// </summary>
internal static class SubmitCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var options = new SubmitOptions();
        var wait = new Option<bool>("--wait", "-w") { Description = "follow the logs and exit with the job's exit code" };

        var groups = new GroupOptions();

        var submit = new Command("submit", "Run a command on the cluster in a copy of a project folder.");
        options.AddTo(submit, wait);
        groups.AddTo(submit);
        CommandAction.Set(submit, context, async (parse, cancellationToken) =>
        {
            var (folder, spec) = options.Read(parse, "submit");
            spec = groups.Apply(parse, spec);
            var group = groups.Group(parse, spec);
            if (group is not null && parse.GetValue(wait))
            {
                throw new CliException("--wait: not with --sweep or --array; follow the group with `atlas status GROUP` or `atlas ls --group GROUP`", 2);
            }
            using var client = globals.Client(parse, context);
            using var tracing = CliTracing.Start("atlas submit", context);
            if (group is not null)
            {
                // A group is sent as one .tar.gz for all of its jobs (content-addressed upload is for single submits so far).
                var submitted = await ProjectUpload.WithTarballAsync(folder, context, (bundle, report) => client.SubmitGroupAsync(spec, group, bundle, report, cancellationToken), cancellationToken);
                tracing.Activity?.SetTag("atlas.group.id", submitted.Id);
                await context.Out.WriteLineAsync(submitted.Id);
                return 0;
            }
            var job = await ProjectUpload.SubmitAsync(client, spec, folder, context, cancellationToken);
            tracing.Activity?.SetTag(Core.AtlasTelemetry.JobIdTag, job.Id);
            await context.Out.WriteLineAsync(job.Id);
            return parse.GetValue(wait) ? await WaitAsync(client, job.Id, context, cancellationToken) : 0;
        });
        return submit;
    }

    private static async Task<int> WaitAsync(Api.AtlasApiClient client, string id, CliContext context, CancellationToken cancellationToken)
    {
        await context.Out.FlushAsync(cancellationToken);
        await LogsCommand.CopyToAsync(client, id, follow: true, context, cancellationToken);
        var job = await client.GetJobAsync(id, cancellationToken);
        // The log stream ends with the job; the record may lag by a moment.
        for (var i = 0; i < 50 && !JobStateMachine.IsTerminal(job.State); i++)
        {
            await Task.Delay(100, cancellationToken);
            job = await client.GetJobAsync(id, cancellationToken);
        }
        switch (job.State)
        {
            case JobState.Succeeded:
                return 0;
            case JobState.Cancelled:
                await context.Error.WriteLineAsync($"job {id} was cancelled");
                return 130;
            default:
                if (job.ExitCode is { } code and not 0)
                {
                    return code;
                }
                await context.Error.WriteLineAsync($"job {id} {job.State.ToString().ToLowerInvariant()}: {job.Reason}");
                return 1;
        }
    }
}
