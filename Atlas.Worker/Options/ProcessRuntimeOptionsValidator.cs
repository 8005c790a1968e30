using Atlas.Worker.Runtime;
using Microsoft.Extensions.Options;

namespace Atlas.Worker.Options;

/// <summary>Says in words which process runtime setting is wrong, at start (only when the node uses that runtime).</summary>
internal sealed class ProcessRuntimeOptionsValidator : IValidateOptions<ProcessRuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, ProcessRuntimeOptions options)
    {
        var errors = new List<string>();
        if (options.Cgroups is not ("auto" or "off"))
        {
            errors.Add($"Atlas:Worker:Process:Cgroups must be 'auto' or 'off' (is '{options.Cgroups}').");
        }
        if (options.CgroupRoot is { } root && !Directory.Exists(root))
        {
            errors.Add($"Atlas:Worker:Process:CgroupRoot must be an existing cgroup v2 folder (is '{root}').");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
