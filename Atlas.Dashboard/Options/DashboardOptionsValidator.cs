using Microsoft.Extensions.Options;

namespace Atlas.Dashboard.Options;

/// <summary>Says in words which dashboard setting is wrong, at start.</summary>
internal sealed class DashboardOptionsValidator(IConfiguration configuration) : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var errors = new List<string>();
        var gateways = configuration.GetSection(DashboardOptions.GatewaySection).GetChildren().Select(c => c.Value).ToList();
        if (gateways.Count == 0)
        {
            errors.Add("No gateway address: set services__gateway__http__0 (for example http://127.0.0.1:5558).");
        }
        foreach (var gateway in gateways)
        {
            if (!Uri.TryCreate(gateway, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add($"services__gateway__http__N must be http(s) URLs (one is '{gateway}').");
            }
        }
        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            errors.Add("Atlas:Dashboard:ClientId must name the OpenID Connect client (atlas-dashboard in the realm).");
        }
        if (!string.IsNullOrEmpty(options.TracesUrl) && !Uri.TryCreate(options.TracesUrl, UriKind.Absolute, out _))
        {
            errors.Add($"Atlas:Dashboard:TracesUrl must be an absolute URL (is '{options.TracesUrl}').");
        }
        if (options.IdleTimeoutSeconds <= 0)
        {
            errors.Add($"Atlas:Dashboard:IdleTimeoutSeconds must be above 0 (is {options.IdleTimeoutSeconds}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
