using Atlas.Api.Leases;
using Microsoft.Extensions.Options;

namespace Atlas.Master.Options;

/// <summary>Says in words which master setting is wrong, at start.</summary>
internal sealed class MasterOptionsValidator(IOptions<LeaseOptions> lease) : IValidateOptions<MasterOptions>
{
    public ValidateOptionsResult Validate(string? name, MasterOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Name) || options.Name.Contains('|', StringComparison.Ordinal))
        {
            errors.Add($"Atlas:Master:Name must be set and must not contain '|' (is '{options.Name}').");
        }
        if (options.LeaderLeaseSeconds is < 1 or > 300)
        {
            errors.Add($"Atlas:Master:LeaderLeaseSeconds must be between 1 and 300 (is {options.LeaderLeaseSeconds}).");
        }
        if (options.MaxBundleBytes < 1024)
        {
            errors.Add($"Atlas:Master:MaxBundleBytes must be at least 1024 (is {options.MaxBundleBytes}).");
        }
        if (options.MaxBundleEntries < 1)
        {
            errors.Add($"Atlas:Master:MaxBundleEntries must be at least 1 (is {options.MaxBundleEntries}).");
        }
        if (options.MaxGroupJobs is < 1 or > 1_000_000)
        {
            errors.Add($"Atlas:Master:MaxGroupJobs must be between 1 and 1000000 (is {options.MaxGroupJobs}).");
        }
        if (options.BlobGraceSeconds < 60)
        {
            errors.Add($"Atlas:Master:BlobGraceSeconds must be at least 60, longer than a submit takes (is {options.BlobGraceSeconds}).");
        }
        if (options.BlobSweepSeconds is < 1 or > 7 * 24 * 3600)
        {
            errors.Add($"Atlas:Master:BlobSweepSeconds must be between 1 and 604800 (is {options.BlobSweepSeconds}).");
        }
        if (options.MaxAttempts is < 1 or > 100)
        {
            errors.Add($"Atlas:Master:MaxAttempts must be between 1 and 100 (is {options.MaxAttempts}).");
        }
        if (options.ReapIntervalSeconds <= 0 || options.ReapIntervalSeconds > lease.Value.LeaseSeconds)
        {
            errors.Add($"Atlas:Master:ReapIntervalSeconds must be above 0 and at most Atlas:LeaseSeconds (are {options.ReapIntervalSeconds} and {lease.Value.LeaseSeconds}).");
        }
        if (options.IdleRescheduleSeconds <= 0)
        {
            errors.Add($"Atlas:Master:IdleRescheduleSeconds must be above 0 (is {options.IdleRescheduleSeconds}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
