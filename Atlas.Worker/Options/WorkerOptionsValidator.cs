using Atlas.Api.Leases;
using Microsoft.Extensions.Options;

namespace Atlas.Worker.Options;

/// <summary>Says in words which worker setting is wrong, at start.</summary>
internal sealed class WorkerOptionsValidator(IOptions<LeaseOptions> lease) : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Name) || options.Name.Length > 64 || !options.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            errors.Add($"Atlas:Worker:Name must be 1 to 64 letters, digits, '-', '_' or '.' (is '{options.Name}').");
        }
        if (!Uri.TryCreate(options.Address, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            errors.Add($"Atlas:Worker:Address (HOST_ADDRESS) must be the http(s) URL the gateway reaches this node at (is '{options.Address}').");
        }
        if (options.Slots is < 0 or > 1024)
        {
            errors.Add($"Atlas:Worker:Slots (NUM_WORKERS) must be between 0 and 1024 (is {options.Slots}).");
        }
        if (options.Runtime is not ("docker" or "process"))
        {
            errors.Add($"Atlas:Worker:Runtime must be 'docker' or 'process' (is '{options.Runtime}').");
        }
        var leaseSeconds = lease.Value.LeaseSeconds;
        if (options.HeartbeatSeconds <= 0 || leaseSeconds < options.HeartbeatSeconds * 2)
        {
            errors.Add($"Atlas:Worker:HeartbeatSeconds must be above 0 and at most half of Atlas:LeaseSeconds (are {options.HeartbeatSeconds} and {leaseSeconds}).");
        }
        if (options.DrainGraceSeconds is < 0 or > 86400)
        {
            errors.Add($"Atlas:Worker:DrainGraceSeconds must be between 0 and 86400 (is {options.DrainGraceSeconds}).");
        }
        if (options.InboxCheckSeconds <= 0)
        {
            errors.Add($"Atlas:Worker:InboxCheckSeconds must be above 0 (is {options.InboxCheckSeconds}).");
        }
        var gpus = options.DeclaredGpus;
        if (gpus.Any(id => id.Length > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')) || gpus.Distinct(StringComparer.Ordinal).Count() != gpus.Count)
        {
            errors.Add($"Atlas:Worker:Gpus must be a comma-separated list of distinct GPU ids such as 0,1 (is '{options.Gpus}').");
        }
        if (options.Cpus is not null && (!double.TryParse(options.Cpus, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var cpus) || cpus is <= 0 or > 100_000))
        {
            errors.Add($"Atlas:Worker:Cpus must be a positive number of cores such as 8 or 7.5 (is '{options.Cpus}').");
        }
        if (options.Memory is not null && Atlas.Core.Jobs.Quantities.ParseBytes(options.Memory) is null)
        {
            errors.Add($"Atlas:Worker:Memory must be a size such as 64g or 512m (is '{options.Memory}').");
        }
        if (options.NvidiaSmiTimeoutSeconds is <= 0 or > 600)
        {
            errors.Add($"Atlas:Worker:NvidiaSmiTimeoutSeconds must be above 0 and at most 600 (is {options.NvidiaSmiTimeoutSeconds}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
