using System.CommandLine;
using Atlas.Core.Jobs;

namespace Atlas.Cli.Commands;

/// <summary>
/// <c>atlas submit --sweep NAME=v1,v2 --array 0-99%10 --after ID,… --after-any ID,…</c>: one submit
/// becomes a group of jobs, and jobs wait on others. Checked here with the cluster's own rules, so
/// a mistake names its flag before anything is uploaded.
/// </summary>
internal sealed class GroupOptions
{
    private readonly Option<string[]> _sweep = new("--sweep") { Description = "NAME=v1,v2,…: one job per value, {NAME} in the command replaced (repeatable: the cartesian product, one group)", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string?> _array = new("--array") { Description = "START-END[%N]: one job per index (ATLAS_ARRAY_INDEX, {index}), at most N running at once" };
    private readonly Option<string?> _after = new("--after") { Description = "ID,ID…: run only after these jobs succeed (cancelled if one fails or is cancelled)" };
    private readonly Option<string?> _afterAny = new("--after-any") { Description = "ID,ID…: run after these jobs end, whatever the outcome" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _sweep, _array, _after, _afterAny })
        {
            command.Options.Add(option);
        }
    }

    /// <summary><paramref name="spec"/> with its dependencies.</summary>
    public JobSpec Apply(ParseResult parse, JobSpec spec) =>
        spec with { After = JobIds("--after", parse.GetValue(_after)), AfterAny = JobIds("--after-any", parse.GetValue(_afterAny)) };

    /// <summary>The group <c>--sweep</c> and <c>--array</c> describe, or null for a single job.</summary>
    public GroupSpec? Group(ParseResult parse, JobSpec spec)
    {
        var sweeps = parse.GetValue(_sweep) ?? [];
        var arrayText = parse.GetValue(_array);
        if (sweeps.Length == 0 && arrayText is null)
        {
            return null;
        }
        var axes = new List<SweepAxis>();
        foreach (var s in sweeps)
        {
            var eq = s.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !SubmitOptions.IsLabelName(s[..eq]) || eq == s.Length - 1)
            {
                throw new CliException($"--sweep: '{s}' is not NAME=v1,v2,… (NAME: letters, digits, '_', '.' and '-', starting with a letter or _)", 2);
            }
            axes.Add(new SweepAxis(s[..eq], s[(eq + 1)..].Split(',')));
        }
        JobArray? array = null;
        var maxRunning = 0;
        if (arrayText is not null)
        {
            if (!JobArray.TryParse(arrayText, out var parsed, out maxRunning, out var error))
            {
                throw new CliException($"--array: {error}", 2);
            }
            array = parsed;
        }
        var group = new GroupSpec { Sweep = axes.Count == 0 ? null : axes, Array = array, MaxRunning = maxRunning };
        // The cluster holds the size limit; here only what the flags themselves got wrong.
        foreach (var (field, messages) in GroupExpander.Validate(spec, group, int.MaxValue))
        {
            var flag = field switch
            {
                "group.array" or "group.maxRunning" => "--array",
                "command" => axes.Count > 0 ? "--sweep" : "--array",
                _ => "--sweep",
            };
            throw new CliException($"{flag}: {string.Join(" ", messages)}", 2);
        }
        return group;
    }

    private static IReadOnlyList<string>? JobIds(string option, string? list)
    {
        if (list is null)
        {
            return null;
        }
        var ids = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length == 0)
        {
            throw new CliException($"{option}: give one or more job ids, comma separated", 2);
        }
        if (ids.FirstOrDefault(id => !JobId.IsValid(id)) is { } bad)
        {
            throw new CliException($"{option}: '{bad}' is not a job id", 2);
        }
        return ids;
    }
}
