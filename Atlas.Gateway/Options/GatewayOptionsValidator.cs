using Microsoft.Extensions.Options;

namespace Atlas.Gateway.Options;

/// <summary>Says in words which gateway setting is wrong, at start.</summary>
internal sealed class GatewayOptionsValidator(IConfiguration configuration) : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var errors = new List<string>();
        // Service discovery resolves the masters lazily; a missing or malformed address is still
        // a setting error, so it is refused here rather than at the first call.
        var masters = configuration.GetSection(GatewayOptions.MastersSection).GetChildren().Select(c => c.Value).ToList();
        if (masters.Count == 0)
        {
            errors.Add("No master address: set services__master__http__0 (for example http://127.0.0.1:7001).");
        }
        foreach (var master in masters)
        {
            if (!Uri.TryCreate(master, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add($"services__master__http__N must be http(s) URLs (one is '{master}').");
            }
        }
        if (options.IdleTimeoutSeconds <= 0)
        {
            errors.Add($"Atlas:Gateway:IdleTimeoutSeconds must be above 0 (is {options.IdleTimeoutSeconds}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
