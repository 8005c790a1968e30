using Atlas.Core.Jobs;
using Atlas.Core.Scheduling;
using Microsoft.Extensions.Options;

namespace Atlas.Master.Options;

/// <summary>Says in words which scheduling setting is wrong, at start.</summary>
internal sealed class SchedulingOptionsValidator : IValidateOptions<SchedulingOptions>
{
    public ValidateOptionsResult Validate(string? name, SchedulingOptions options)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(options.Policy))
        {
            errors.Add($"Atlas:Scheduling:Policy must be fair or fifo (is {options.Policy}).");
        }
        if (options.UsageHalfLifeSeconds is <= 0 or double.NaN or double.PositiveInfinity)
        {
            errors.Add($"Atlas:Scheduling:UsageHalfLifeSeconds must be above 0 (is {options.UsageHalfLifeSeconds}).");
        }
        if (options.GpuWeight is < 0 or > 1000 or double.NaN)
        {
            errors.Add($"Atlas:Scheduling:GpuWeight must be between 0 and 1000 (is {options.GpuWeight}).");
        }
        if (options.RunningChargeSeconds is < 0 or double.NaN or double.PositiveInfinity)
        {
            errors.Add($"Atlas:Scheduling:RunningChargeSeconds must be 0 or more (is {options.RunningChargeSeconds}).");
        }
        if (options.HeadsPerOwner is < 1 or > 10_000)
        {
            errors.Add($"Atlas:Scheduling:HeadsPerOwner must be between 1 and 10000 (is {options.HeadsPerOwner}).");
        }
        if (options.ReasonsTtlSeconds is < 1 or double.NaN or > 86_400)
        {
            errors.Add($"Atlas:Scheduling:ReasonsTtlSeconds must be between 1 and 86400 (is {options.ReasonsTtlSeconds}).");
        }
        if (options.MaxRunningJobsPerUser < 0)
        {
            errors.Add($"Atlas:Scheduling:MaxRunningJobsPerUser must be 0 (no limit) or more (is {options.MaxRunningJobsPerUser}).");
        }
        if (options.MaxGpusPerUser < 0)
        {
            errors.Add($"Atlas:Scheduling:MaxGpusPerUser must be 0 (no limit) or more (is {options.MaxGpusPerUser}).");
        }
        foreach (var (user, limits) in options.Users)
        {
            if (limits.MaxRunningJobs < 0)
            {
                errors.Add($"Atlas:Scheduling:Users:{user}:MaxRunningJobs must be 0 (no limit) or more (is {limits.MaxRunningJobs}).");
            }
            if (limits.MaxGpus < 0)
            {
                errors.Add($"Atlas:Scheduling:Users:{user}:MaxGpus must be 0 (no limit) or more (is {limits.MaxGpus}).");
            }
        }
        if (options.DefaultCpus is { } cpus && (cpus <= 0 || double.IsNaN(cpus) || cpus > 100_000))
        {
            errors.Add($"Atlas:Scheduling:DefaultCpus must be above 0 (is {cpus}).");
        }
        if (options.DefaultMemory is { } memory && Quantities.ParseBytes(memory) is not > 0)
        {
            errors.Add($"Atlas:Scheduling:DefaultMemory must be a size such as 8g (is '{memory}').");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
