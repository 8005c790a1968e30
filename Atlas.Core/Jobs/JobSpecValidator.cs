using System.Text.RegularExpressions;

namespace Atlas.Core.Jobs;

/// <summary>Checks a submitted <see cref="JobSpec"/>; each problem is keyed by the JSON field it concerns.</summary>
public static partial class JobSpecValidator
{
    /// <summary>The largest priority a job may ask for (and minus this the smallest).</summary>
    public const int MaxPriority = 100;

    private const int MaxNameLength = 128;
    private const int MaxArgs = 1024;
    private const int MaxArgLength = 32 * 1024;
    private const int MaxEnv = 256;
    private const int MaxLabels = 256;
    private const int MaxGpus = 64;
    private const int MaxCpus = 1024;
    private const long MinMemoryBytes = 4L << 20;
    private const long MaxMemoryBytes = 64L << 40;
    private const int MaxTimeLimitSeconds = 365 * 24 * 3600;
    private const int MaxRetries = 100;
    private const int MaxDependencies = 256;

    /// <summary>Field name to messages; empty when the spec is valid.</summary>
    public static Dictionary<string, string[]> Validate(JobSpec? spec)
    {
        var errors = new Dictionary<string, string[]>();
        if (spec is null)
        {
            errors["spec"] = ["The job spec is missing."];
            return errors;
        }

        if (spec.Command is null || spec.Command.Count == 0 || string.IsNullOrWhiteSpace(spec.Command[0]))
        {
            errors["command"] = ["A command is required: the program to run and its arguments."];
        }
        else if (spec.Command.Count > MaxArgs || spec.Command.Any(a => a is null || a.Length > MaxArgLength || a.Contains('\0', StringComparison.Ordinal)))
        {
            errors["command"] = [$"At most {MaxArgs} arguments of at most {MaxArgLength} characters each, without NUL characters."];
        }

        CheckLabel(errors, "name", spec.Name);
        CheckLabel(errors, "project", spec.Project);

        if (spec.Image is not null && (spec.Image.Length > 255 || !ImagePattern().IsMatch(spec.Image)))
        {
            errors["image"] = ["Not an image reference (for example registry/name:tag)."];
        }

        if (spec.Priority is < -MaxPriority or > MaxPriority)
        {
            errors["priority"] = [$"Priority must be between {-MaxPriority} and {MaxPriority}."];
        }

        if (spec.Env is not null)
        {
            if (spec.Env.Count > MaxEnv)
            {
                errors["env"] = [$"At most {MaxEnv} variables."];
            }
            else
            {
                var bad = spec.Env.Keys.FirstOrDefault(k => !EnvNamePattern().IsMatch(k));
                if (bad is not null)
                {
                    errors["env"] = [$"'{Truncate(bad)}' is not a variable name (letters, digits and '_', not starting with a digit)."];
                }
                else if (spec.Env.Any(kv => kv.Value is null || kv.Value.Contains('\0', StringComparison.Ordinal)))
                {
                    errors["env"] = ["Values must be present and must not contain NUL characters."];
                }
                else if (spec.Env.Keys.Any(k => k.StartsWith("ATLAS_", StringComparison.Ordinal)))
                {
                    errors["env"] = ["Names starting with ATLAS_ are set by Atlas."];
                }
            }
        }

        CheckLabels(errors, "params", spec.Params, Tracking.LabelEnvironment.ParamPrefix);
        CheckLabels(errors, "tags", spec.Tags, Tracking.LabelEnvironment.TagPrefix);
        CheckResources(errors, spec.Resources);
        CheckRunLimits(errors, spec);
        CheckDependencies(errors, "after", spec.After);
        CheckDependencies(errors, "afterAny", spec.AfterAny);
        return errors;
    }

    // Params and tags become environment variables, so their names must stay distinct once upper-cased.
    private static void CheckLabels(Dictionary<string, string[]> errors, string field, IReadOnlyDictionary<string, string>? labels, string prefix)
    {
        if (labels is null)
        {
            return;
        }
        if (labels.Count > MaxLabels)
        {
            errors[field] = [$"At most {MaxLabels}."];
            return;
        }
        var bad = labels.Keys.FirstOrDefault(k => k is null || k.Length > 64 || !ParamNamePattern().IsMatch(k));
        if (bad is not null)
        {
            errors[field] = [$"'{Truncate(bad ?? "")}' is not a name (1 to 64 letters, digits, '_', '.' or '-', starting with a letter or '_')."];
            return;
        }
        if (labels.Any(kv => kv.Value is null || kv.Value.Length > Tracking.TrackingLineParser.MaxTextLength || kv.Value.Contains('\0', StringComparison.Ordinal)))
        {
            errors[field] = [$"Values must be present, at most {Tracking.TrackingLineParser.MaxTextLength} characters, without NUL characters."];
            return;
        }
        var clash = labels.Keys.GroupBy(k => Tracking.LabelEnvironment.Name(prefix, k), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
        {
            errors[field] = [$"'{string.Join("' and '", clash)}' would both be {clash.Key}."];
        }
    }

    private static void CheckResources(Dictionary<string, string[]> errors, JobResources? resources)
    {
        if (resources is null)
        {
            return;
        }
        if (resources.Gpus is < 0 or > MaxGpus)
        {
            errors["resources.gpus"] = [$"GPUs must be between 0 and {MaxGpus}."];
        }
        if (resources.Cpus is { } cpus && (!double.IsFinite(cpus) || cpus < 0.01 || cpus > MaxCpus))
        {
            errors["resources.cpus"] = [$"CPUs must be between 0.01 and {MaxCpus} cores."];
        }
        if (resources.MemoryBytes is { } memory && memory is < MinMemoryBytes or > MaxMemoryBytes)
        {
            errors["resources.memoryBytes"] = ["Memory must be between 4m and 64t."];
        }
    }

    private static void CheckRunLimits(Dictionary<string, string[]> errors, JobSpec spec)
    {
        if (spec.TimeLimitSeconds is { } limit && limit is < 1 or > MaxTimeLimitSeconds)
        {
            errors["timeLimitSeconds"] = ["The time limit must be between 1 second and 365 days."];
        }
        if (spec.Retries is < 0 or > MaxRetries)
        {
            errors["retries"] = [$"Retries must be between 0 and {MaxRetries}."];
        }
        if (spec.RetryOn is { } codes && (codes.Count > 64 || codes.Any(c => c is < 1 or > 255)))
        {
            errors["retryOn"] = ["At most 64 exit codes, each between 1 and 255."];
        }
    }

    private static void CheckDependencies(Dictionary<string, string[]> errors, string field, IReadOnlyList<string>? ids)
    {
        if (ids is null)
        {
            return;
        }
        if (ids.Count > MaxDependencies)
        {
            errors[field] = [$"At most {MaxDependencies} jobs."];
        }
        else if (ids.FirstOrDefault(id => !JobId.IsValid(id)) is { } bad)
        {
            errors[field] = [$"'{Truncate(bad ?? "")}' is not a job id."];
        }
    }

    private static void CheckLabel(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (value is null)
        {
            return;
        }
        if (value.Length is 0 or > MaxNameLength || !LabelPattern().IsMatch(value))
        {
            errors[field] = [$"1 to {MaxNameLength} characters: letters, digits, '.', '_' and '-', starting with a letter or digit."];
        }
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvNamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]*$")]
    private static partial Regex ParamNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._/:@-]*$")]
    private static partial Regex ImagePattern();
}
