using System.CommandLine;
using System.Text.RegularExpressions;
using Atlas.Core.Jobs;

namespace Atlas.Cli.Commands;

/// <summary>
/// What a job is, as <c>atlas submit</c> takes it: <c>&lt;dir&gt; -- &lt;command&gt;</c> and the options that
/// shape the spec (image, name, project, env, params, tags, priority). <c>atlas schedule add</c>
/// takes the same, so a scheduled job is described exactly as a submitted one.
/// </summary>
internal sealed partial class SubmitOptions
{
    public Option<string?> Image { get; } = new("--image") { Description = "container image (docker runtime); the cluster's default when left out" };

    public Option<string?> Name { get; } = new("--name") { Description = "a name for the job (default: the folder's name)" };

    public Option<string?> Project { get; } = new("--project") { Description = "the project it belongs to (default: the folder's name)" };

    public Option<string[]> Env { get; } = new("--env", "-e") { Description = "K=V, an environment variable for the job (repeatable)", AllowMultipleArgumentsPerToken = false };

    public Option<int> Priority { get; } = new("--priority") { Description = "-100..100, higher runs first (default 0)" };

    public Option<string[]> Param { get; } = new("--param", "-p") { Description = "K=V, a parameter recorded with the job and passed as ATLAS_PARAM_K (repeatable)", AllowMultipleArgumentsPerToken = false };

    public Option<string[]> Tag { get; } = new("--tag", "-t") { Description = "K=V, a tag recorded with the job and passed as ATLAS_TAG_K (repeatable)", AllowMultipleArgumentsPerToken = false };

    public Option<string?> TimeLimit { get; } = new("--time-limit") { Description = "stop the job after this long (2h, 45m, 1h30m, 90s); it then ends failed, \"time limit\"" };

    // What the job needs on its node (placement fits every resource; the runtime enforces them).
    public Option<int?> Gpus { get; } = new("--gpus") { Description = "whole GPUs the job needs, each its own (default 0)" };

    public Option<double?> Cpus { get; } = new("--cpus") { Description = "CPU cores the job needs, fractions allowed (default: no limit)" };

    public Option<string?> Memory { get; } = new("--memory") { Description = "memory the job needs, e.g. 8g or 512m (default: no limit)" };

    /// <summary><c>--retries</c> and <c>--retry-on</c>.</summary>
    public RetryOptions Retry { get; } = new();

    public Argument<string> Dir { get; } = new("dir") { Description = "the project folder to run" };

    public Argument<string[]> Command { get; } = new("command") { Description = "after --: the program and its arguments", Arity = ArgumentArity.ZeroOrMore };

    /// <summary>The options, then the arguments, in the order help shows them; <paramref name="between"/> goes before the arguments.</summary>
    public void AddTo(Command command, params Option[] between)
    {
        foreach (var option in new Option[] { Image, Name, Project, Env, Param, Tag, Priority, Gpus, Cpus, Memory, TimeLimit }.Concat(between))
        {
            command.Options.Add(option);
        }
        Retry.AddTo(command);
        command.Arguments.Add(Dir);
        command.Arguments.Add(Command);
    }

    /// <summary>The project folder (full path) and the spec the options describe; a usage mistake is a <see cref="CliException"/> naming the flag.</summary>
    public (string Folder, JobSpec Spec) Read(ParseResult parse, string verb)
    {
        var folder = Path.GetFullPath(parse.GetValue(Dir)!);
        if (!Directory.Exists(folder))
        {
            throw new CliException($"dir: no folder '{parse.GetValue(Dir)}'", 2);
        }
        var argv = parse.GetValue(Command) ?? [];
        if (argv.Length == 0)
        {
            throw new CliException($"no command: give it after --, e.g. atlas {verb} . -- python train.py", 2);
        }
        var folderName = new DirectoryInfo(folder).Name;
        return (folder, Retry.Apply(parse, new JobSpec
        {
            Name = parse.GetValue(Name) ?? Label(folderName),
            Project = parse.GetValue(Project) ?? Label(folderName),
            Image = parse.GetValue(Image),
            Command = argv,
            Env = ParseEnv(parse.GetValue(Env) ?? []),
            Priority = parse.GetValue(Priority),
            Params = Labels("--param", parse.GetValue(Param)),
            Tags = Labels("--tag", parse.GetValue(Tag)),
            TimeLimitSeconds = parse.GetValue(TimeLimit) is { } limit ? TimeLimitSeconds(limit) : null,
            Resources = Resources(parse.GetValue(Gpus), parse.GetValue(Cpus), parse.GetValue(Memory)),
        }));
    }

    internal static JobResources? Resources(int? gpus, double? cpus, string? memory)
    {
        if (gpus is null && cpus is null && memory is null)
        {
            return null;
        }
        if (gpus is < 0)
        {
            throw new CliException($"--gpus: give a whole number of GPUs, 0 or more (not {gpus})", 2);
        }
        if (cpus is { } c && (!double.IsFinite(c) || c < 0.01))
        {
            throw new CliException($"--cpus: give a number of cores above 0, e.g. 2 or 0.5 (not {c.ToString(System.Globalization.CultureInfo.InvariantCulture)})", 2);
        }
        long? bytes = null;
        if (memory is not null)
        {
            bytes = Quantities.ParseBytes(memory) ?? throw new CliException($"--memory: '{memory}' is not a size such as 8g or 512m", 2);
        }
        return new JobResources { Gpus = gpus ?? 0, Cpus = cpus, MemoryBytes = bytes };
    }

    // Checked here so a bad value names the flag; the API checks the range again.
    private static int TimeLimitSeconds(string text) =>
        Quantities.ParseDuration(text) is { } limit && limit.TotalSeconds is >= 1 and <= 365 * 24 * 3600
            ? (int)Math.Ceiling(limit.TotalSeconds)
            : throw new CliException($"--time-limit: '{text}' is not a duration between 1s and 365d (such as 2h, 45m, 1h30m or 90s)", 2);

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

    /// <summary>Whether <paramref name="name"/> may name a param or tag (and so a sweep).</summary>
    internal static bool IsLabelName(string name) => LabelName().IsMatch(name);

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
