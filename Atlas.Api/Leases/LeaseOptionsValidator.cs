using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Atlas.Api.Leases;

/// <summary>
/// Says in words what is wrong with the lease, at start. The master and the workers once had a
/// lease setting each, which could disagree; a leftover one is refused rather than ignored.
/// </summary>
internal sealed class LeaseOptionsValidator(IConfiguration configuration) : IValidateOptions<LeaseOptions>
{
    public ValidateOptionsResult Validate(string? name, LeaseOptions options)
    {
        var errors = new List<string>();
        if (options.LeaseSeconds is < 1 or > 3600)
        {
            errors.Add($"Atlas:LeaseSeconds must be between 1 and 3600 (is {options.LeaseSeconds}).");
        }
        foreach (var key in LeaseOptions.ReplacedKeys.Where(k => configuration[k] is not null))
        {
            errors.Add($"{key} is no longer read: the master and the workers share one lease, Atlas:LeaseSeconds (Atlas__LeaseSeconds); set that instead.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
