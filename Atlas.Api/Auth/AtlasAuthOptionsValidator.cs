using Microsoft.Extensions.Options;

namespace Atlas.Api.Auth;

/// <summary>Says in words which <c>Atlas:Auth</c> setting is wrong, at start.</summary>
public sealed class AtlasAuthOptionsValidator : IValidateOptions<AtlasAuthOptions>
{
    public const int MaxClockSkewSeconds = 300;

    public ValidateOptionsResult Validate(string? name, AtlasAuthOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Authority))
        {
            errors.Add("Atlas:Auth:Authority is not set: give the identity provider's issuer URL " +
                "(Atlas__Auth__Authority=https://keycloak.example.com/realms/atlas), or set Atlas__Auth__Enabled=false for single-user mode.");
        }
        else if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("http" or "https"))
        {
            errors.Add($"Atlas:Auth:Authority must be an http(s) URL (is '{options.Authority}').");
        }
        else if (authority.Scheme == "http" && options.HttpsMetadataRequired)
        {
            errors.Add($"Atlas:Auth:Authority '{options.Authority}' is plain http on a network address: signing keys fetched " +
                "that way can be replaced on the way. Use https, or set Atlas__Auth__RequireHttpsMetadata=false on a trusted network.");
        }
        if (options.ValidIssuers.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("Atlas:Auth:ValidIssuers has an empty entry.");
        }
        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            errors.Add("Atlas:Auth:Audience is empty: tokens must be checked for an audience (the default is atlas-api).");
        }
        if (string.IsNullOrWhiteSpace(options.RoleClaim) || options.RoleClaim.Split('.').Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"Atlas:Auth:RoleClaim must be a dotted path into the token such as realm_access.roles (is '{options.RoleClaim}').");
        }
        if (string.IsNullOrWhiteSpace(options.AdminRole))
        {
            errors.Add("Atlas:Auth:AdminRole is empty: name the role that may see every job (the default is atlas-admin).");
        }
        if (string.IsNullOrWhiteSpace(options.CliClientId))
        {
            errors.Add("Atlas:Auth:CliClientId is empty: name the client the CLI logs in with (the default is atlas-cli).");
        }
        if (options.ClockSkewSeconds is < 0 or > MaxClockSkewSeconds)
        {
            errors.Add($"Atlas:Auth:ClockSkewSeconds must be between 0 and {MaxClockSkewSeconds} (is {options.ClockSkewSeconds}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
