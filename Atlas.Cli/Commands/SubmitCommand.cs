using System.CommandLine;
using System.Text.RegularExpressions;
using Atlas.Cli.Telemetry;
using Atlas.Core.Jobs;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas submit [options] &lt;dir&gt; -- &lt;command&gt; [args…]</c>: uploads the folder's new files (<see cref="ProjectUpload"/>) and
/// prints the job id; with <c>--wait</c>, follows the logs and exits with the job's exit code.
/// </summary>
internal static partial class SubmitCommand
{
    public static Command Build(GlobalOptions globals, CliContext context)
    {
        var image = new Option<string?>("--image") { Description = "container image (docker runtime); the cluster's default when left out" };
        var name = new Option<string?>("--name") { Description = "a name for the job (default: the folder's name)" };
        var project = new Option<string?>("--project") { Description = "the project it belongs to (default: the folder's name)" };
        var env = new Option<string[]>("--env", "-e") { Description = "K=V, an environment variable for the job (repeatable)", AllowMultipleArgumentsPerToken = false };
        var priority = new Option<int>("--priority") { Description = "-100..100, higher runs first (default 0)" };
        var param = new Option<string[]>("--param", "-p") { Description = "K=V, a parameter recorded with the job and passed as ATLAS_PARAM_K (repeatable)", AllowMultipleArgumentsPerToken = false };
        var tag = new Option<string[]>("--tag", "-t") { Description = "K=V, a tag recorded with the job and passed as ATLAS_TAG_K (repeatable)", AllowMultipleArgumentsPerToken = false };
        var wait = new Option<bool>("--wait", "-w") { Description = "follow the logs and exit with the job's exit code" };
        var dir = new Argument<string>("dir") { Description = "the project folder to run" };
        var command = new Argument<string[]>("command") { Description = "after --: the program and its arguments", Arity = ArgumentArity.ZeroOrMore };

        var submit = new Command("submit", "Run a command on the cluster in a copy of a project folder.")
        {
            image, name, project, env, param, tag, priority, wait, dir, command,
        };
        CommandAction.Set(submit, context, async (parse, cancellationToken) =>
        {
            var folder = Path.GetFullPath(parse.GetValue(dir)!);
            if (!Directory.Exists(folder))
            {
                throw new CliException($"dir: no folder '{parse.GetValue(dir)}'", 2);
            }
            var argv = parse.GetValue(command) ?? [];
            if (argv.Length == 0)
            {
                throw new CliException("no command: give it after --, e.g. atlas submit . -- python train.py", 2);
            }
            var folderName = new DirectoryInfo(folder).Name;
            var spec = new JobSpec
            {
                Name = parse.GetValue(name) ?? Label(folderName),
                Project = parse.GetValue(project) ?? Label(folderName),
                Image = parse.GetValue(image),
                Command = argv,
                Env = ParseEnv(parse.GetValue(env) ?? []),
                Priority = parse.GetValue(priority),
                Params = Labels("--param", parse.GetValue(param)),
                Tags = Labels("--tag", parse.GetValue(tag)),
            };

            using var client = globals.Client(parse, context);
            using var tracing = CliTracing.Start("atlas submit", context);
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

    private static Dictionary<string, string> ParseEnv(string[] pairs) =>
        Pairs("--env", pairs, EnvName(), "letters, digits and _, not starting with a digit");

    private static Dictionary<string, string>? Labels(string option, string[]? pairs) =>
        pairs is null or { Length: 0 } ? null : Pairs(option, pairs, LabelName(), "letters, digits, '_', '.' and '-', starting with a letter or _");

    private static Dictionary<string, string> Pairs(string option, string[] pairs, Regex names, string rule)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !names.IsMatch(pair[..eq]))
            {
                throw new CliException($"{option}: '{pair}' is not NAME=value (NAME: {rule})", 2);
            }
            result[pair[..eq]] = pair[(eq + 1)..];
        }
        return result;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex LabelName();

    // Folder names may hold characters a job name may not (spaces…): keep the safe ones.
    private static string Label(string folderName)
    {
        var label = LabelChars().Replace(folderName, "-").Trim('-', '.', '_');
        return label.Length == 0 ? "job" : label[..Math.Min(label.Length, 128)];
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex LabelChars();
}
