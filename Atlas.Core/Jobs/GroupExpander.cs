using System.Globalization;
using System.Text.RegularExpressions;

namespace Atlas.Core.Jobs;

/// <summary>
/// Turns a submit's <see cref="JobSpec"/> and <see cref="GroupSpec"/> into the group's jobs: one
/// per combination of the swept values (the cartesian product, the last axis varying fastest),
/// times each array index. Each job gets its values substituted into the command
/// (<c>{lr}</c>, <c>{index}</c>; <c>{{</c> and <c>}}</c> stand for literal braces), as params
/// (so the job sees <c>ATLAS_PARAM_LR</c> and they are recorded), and its array index as
/// <c>ATLAS_ARRAY_INDEX</c> (and the param <c>index</c>). The CLI checks with the same code before it uploads.
/// </summary>
public static partial class GroupExpander
{
    /// <summary>The placeholder and param name an array's index goes by; no sweep may use it.</summary>
    public const string IndexName = "index";

    /// <summary>The variable a job of an array reads its index from.</summary>
    public const string ArrayIndexVariable = "ATLAS_ARRAY_INDEX";

    private const int MaxAxes = 32;
    private const int MaxValues = 10_000;

    /// <summary>
    /// Field (<c>group</c>, <c>group.sweep</c>, <c>group.array</c>, <c>group.maxRunning</c>,
    /// <c>command</c>) to messages; empty when the group can be expanded into at most <paramref name="maxJobs"/> jobs.
    /// </summary>
    public static Dictionary<string, string[]> Validate(JobSpec template, GroupSpec group, int maxJobs)
    {
        var errors = new Dictionary<string, string[]>();
        var axes = group.Sweep ?? [];
        if (axes.Count == 0 && group.Array is null)
        {
            errors["group"] = ["A group needs a sweep or an array."];
            return errors;
        }
        if (axes.Count > MaxAxes)
        {
            errors["group.sweep"] = [$"At most {MaxAxes} swept parameters."];
            return errors;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var axis in axes)
        {
            if (axis?.Name is not { } name || !ParamName().IsMatch(name))
            {
                errors["group.sweep"] = [$"'{axis?.Name}' is not a parameter name (1 to 64 letters, digits, '_', '.' or '-', starting with a letter or '_')."];
                return errors;
            }
            if (name == IndexName)
            {
                errors["group.sweep"] = [$"'{IndexName}' is reserved for the array's index."];
                return errors;
            }
            if (!names.Add(name))
            {
                errors["group.sweep"] = [$"'{name}' is swept twice."];
                return errors;
            }
            if (template.Params?.ContainsKey(name) == true)
            {
                errors["group.sweep"] = [$"'{name}' is also given as a fixed param."];
                return errors;
            }
            if (axis.Values is null || axis.Values.Count is 0 or > MaxValues || axis.Values.Any(v => v is null || v.Contains('\0', StringComparison.Ordinal)))
            {
                errors["group.sweep"] = [$"'{name}' needs 1 to {MaxValues} values, without NUL characters."];
                return errors;
            }
        }
        if (group.Array is { } array && (array.Start < 0 || array.End > JobArray.MaxIndex || array.Count == 0))
        {
            errors["group.array"] = [$"The indices must run from a start to an end of at most {JobArray.MaxIndex}, start <= end."];
            return errors;
        }
        if (group.MaxRunning < 0)
        {
            errors["group.maxRunning"] = ["Must be 0 (no limit) or more."];
            return errors;
        }
        var total = Count(group);
        if (total > maxJobs)
        {
            errors["group"] = [$"The group would have {total} jobs; at most {maxJobs} go in one group."];
            return errors;
        }
        if (group.Array is not null)
        {
            names.Add(IndexName);
        }
        foreach (var arg in template.Command ?? [])
        {
            foreach (Match m in Placeholder().Matches(arg ?? ""))
            {
                if (m.Groups[1].Success && !names.Contains(m.Groups[1].Value))
                {
                    errors["command"] = [$"'{{{m.Groups[1].Value}}}' names no swept parameter{(group.Array is null ? "" : " nor the index")} (known: {string.Join(", ", names.Order(StringComparer.Ordinal))}); write {{{{ and }}}} for literal braces."];
                    return errors;
                }
            }
        }
        return errors;
    }

    /// <summary>How many jobs <paramref name="group"/> expands into (saturating, so a huge product cannot overflow).</summary>
    public static long Count(GroupSpec group)
    {
        long total = 1;
        foreach (var axis in group.Sweep ?? [])
        {
            total = Math.Min(total * Math.Max(axis?.Values?.Count ?? 0, 0), int.MaxValue);
        }
        return group.Array is { } array ? Math.Min(total * array.Count, int.MaxValue) : total;
    }

    /// <summary>The group's jobs, in order (array index outermost, then the sweep's axes, the last fastest). Call <see cref="Validate"/> first.</summary>
    public static IReadOnlyList<JobSpec> Expand(JobSpec template, GroupSpec group)
    {
        var axes = group.Sweep ?? [];
        var jobs = new List<JobSpec>((int)Count(group));
        var indices = group.Array is { } array ? Enumerable.Range(array.Start, (int)array.Count).Select(i => (int?)i) : [null];
        foreach (var index in indices)
        {
            var at = new int[axes.Count];
            while (true)
            {
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var a = 0; a < axes.Count; a++)
                {
                    values[axes[a].Name] = axes[a].Values[at[a]];
                }
                if (index is { } i)
                {
                    values[IndexName] = i.ToString(CultureInfo.InvariantCulture);
                }
                jobs.Add(Job(template, values, index));
                var axis = axes.Count - 1;
                while (axis >= 0 && ++at[axis] == axes[axis].Values.Count)
                {
                    at[axis--] = 0;
                }
                if (axis < 0)
                {
                    break;
                }
            }
        }
        return jobs;
    }

    /// <summary><paramref name="arg"/> with each <c>{name}</c> replaced by its value and <c>{{</c>, <c>}}</c> by one brace.</summary>
    public static string Substitute(string arg, IReadOnlyDictionary<string, string> values) =>
        Placeholder().Replace(arg, m => m.Value switch
        {
            "{{" => "{",
            "}}" => "}",
            _ => values.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value,
        });

    private static JobSpec Job(JobSpec template, Dictionary<string, string> values, int? index)
    {
        var labels = new Dictionary<string, string>(template.Params ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            labels[name] = value;
        }
        var env = new Dictionary<string, string>(template.Env ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        if (index is { } i)
        {
            env[ArrayIndexVariable] = i.ToString(CultureInfo.InvariantCulture);
        }
        return template with
        {
            Command = [.. (template.Command ?? []).Select(a => Substitute(a, values))],
            Params = labels,
            Env = env,
        };
    }

    [GeneratedRegex(@"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_.-]*)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex ParamName();
}
