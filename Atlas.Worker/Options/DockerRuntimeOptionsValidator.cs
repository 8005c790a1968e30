using Atlas.Core.Containers;
using Atlas.Worker.Runtime;
using Microsoft.Extensions.Options;

namespace Atlas.Worker.Options;

/// <summary>Says in words which Docker runtime setting is wrong, at start (only when the node uses that runtime).</summary>
internal sealed class DockerRuntimeOptionsValidator : IValidateOptions<DockerRuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, DockerRuntimeOptions options)
    {
        var errors = new List<string>();
        try
        {
            DockerAddress.Resolve(options.Endpoint);
        }
        catch (FormatException ex)
        {
            errors.Add($"Atlas:Worker:Docker:Endpoint (or DOCKER_HOST) is not a Docker Engine address: {ex.Message}");
        }
        if (string.IsNullOrWhiteSpace(options.DefaultImage))
        {
            errors.Add("Atlas:Worker:Docker:DefaultImage must name an image.");
        }
        if (string.IsNullOrWhiteSpace(options.Network))
        {
            errors.Add("Atlas:Worker:Docker:Network must name a network (bridge, none, or a network's name).");
        }
        if (options.PidsLimit < 1)
        {
            errors.Add($"Atlas:Worker:Docker:PidsLimit must be at least 1 (is {options.PidsLimit}).");
        }
        if (options.MemoryBytes is < 6 * 1024 * 1024)
        {
            errors.Add($"Atlas:Worker:Docker:MemoryBytes must be at least 6 MiB when set (is {options.MemoryBytes}).");
        }
        if (options.NanoCpus is < 1)
        {
            errors.Add($"Atlas:Worker:Docker:NanoCpus must be positive when set (is {options.NanoCpus}).");
        }
        if (options.StopGracePeriod < TimeSpan.Zero || options.StopGracePeriod > TimeSpan.FromHours(1))
        {
            errors.Add($"Atlas:Worker:Docker:StopGracePeriod must be between 0 and 1 hour (is {options.StopGracePeriod}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
