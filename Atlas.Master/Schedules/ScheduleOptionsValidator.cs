using Microsoft.Extensions.Options;

namespace Atlas.Master.Schedules;

/// <summary>Refuses schedule settings that would never tick or tick in a tight loop, in words, at start.</summary>
internal sealed class ScheduleOptionsValidator : IValidateOptions<ScheduleOptions>
{
    public ValidateOptionsResult Validate(string? name, ScheduleOptions options)
    {
        var failures = new List<string>();
        if (!double.IsFinite(options.CheckIntervalSeconds) || options.CheckIntervalSeconds is < 0.05 or > 3600)
        {
            failures.Add($"{ScheduleOptions.Section}:CheckIntervalSeconds must be between 0.05 and 3600 (it is {options.CheckIntervalSeconds}).");
        }
        if (options.MaxTicksPerCheck is < 1 or > 10_000)
        {
            failures.Add($"{ScheduleOptions.Section}:MaxTicksPerCheck must be between 1 and 10000 (it is {options.MaxTicksPerCheck}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
