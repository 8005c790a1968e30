using Atlas.Cli.Config;

namespace Atlas.Cli.Auth;

/// <summary>
/// The two ways to log in: a person with the device flow (RFC 8628: show a code, poll until it is
/// approved in a browser), a bot with client credentials. Both end in a <see cref="Session"/>.
/// </summary>
public static class LoginFlow
{
    public const string DeviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code";

    /// <summary>RFC 8628 §3.5: on <c>slow_down</c> the interval grows by 5 seconds.</summary>
    private static readonly TimeSpan SlowDownStep = TimeSpan.FromSeconds(5);

    public static async Task<Session> DeviceAsync(
        CliContext context, GatewayTarget target, AuthConfig config, OidcClient oidc, OidcMetadata metadata, CancellationToken cancellationToken)
    {
        var clientId = config.CliClientId ?? "atlas-cli";
        var device = await oidc.StartDeviceLoginAsync(metadata, clientId, config.Scopes, cancellationToken);
        await context.Out.WriteLineAsync($"To log in to {target.Label}, open {device.VerificationUri} and enter the code {device.UserCode}");
        if (!string.IsNullOrEmpty(device.VerificationUriComplete))
        {
            await context.Out.WriteLineAsync($"(or open {device.VerificationUriComplete})");
        }
        await context.Out.WriteLineAsync("Waiting for you to approve it…");
        await context.Out.FlushAsync(cancellationToken);

        var interval = TimeSpan.FromSeconds(Math.Max(1, device.Interval ?? 5));
        var deadline = context.Time.GetUtcNow().AddSeconds(device.ExpiresIn > 0 ? device.ExpiresIn : 600);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = DeviceCodeGrantType,
            ["device_code"] = device.DeviceCode,
            ["client_id"] = clientId,
        };
        while (true)
        {
            await Task.Delay(interval, context.Time, cancellationToken);
            if (context.Time.GetUtcNow() > deadline)
            {
                throw CodeExpired();
            }
            var answer = await oidc.RequestTokenAsync(metadata.TokenEndpoint!, form, null, cancellationToken);
            switch (answer.Error)
            {
                case null:
                    return SessionKeeper.WithTokens(NewSession(target, config, metadata, clientId, Session.DeviceGrant), answer, context.Time.GetUtcNow());
                case "authorization_pending":
                    continue;
                case "slow_down":
                    interval += SlowDownStep;
                    continue;
                case "expired_token":
                    throw CodeExpired();
                case "access_denied":
                    throw new CliException("the login was denied at the identity provider");
                default:
                    throw new CliException($"the identity provider refused the login: {OidcClient.Describe(answer)}");
            }
        }
    }

    public static async Task<Session> ClientCredentialsAsync(
        CliContext context, GatewayTarget target, AuthConfig config, OidcClient oidc, OidcMetadata metadata, ClientSecret secret, CancellationToken cancellationToken)
    {
        var answer = await oidc.RequestTokenAsync(metadata.TokenEndpoint!, ClientCredentialsForm(scopes: null), secret, cancellationToken);
        if (answer.Error is not null)
        {
            throw new CliException($"the identity provider refused client '{secret.ClientId}': {OidcClient.Describe(answer)}");
        }
        var session = NewSession(target, config, metadata, secret.ClientId, Session.ClientCredentialsGrant) with { ClientSecret = secret.Secret, Scopes = null };
        return SessionKeeper.WithTokens(session, answer, context.Time.GetUtcNow());
    }

    /// <summary>The token request of a bot, at login and at every renewal.</summary>
    public static Dictionary<string, string> ClientCredentialsForm(string? scopes)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (!string.IsNullOrWhiteSpace(scopes))
        {
            form["scope"] = scopes;
        }
        return form;
    }

    private static Session NewSession(GatewayTarget target, AuthConfig config, OidcMetadata metadata, string clientId, string grant) => new()
    {
        Gateway = target.Url.ToString(),
        Authority = config.Authority!,
        ClientId = clientId,
        TokenEndpoint = metadata.TokenEndpoint!,
        RevocationEndpoint = metadata.RevocationEndpoint,
        Grant = grant,
        Scopes = config.Scopes,
    };

    private static CliException CodeExpired() => new("the login code expired before it was approved: run 'atlas login' again");
}
