namespace Atlas.Cli.Auth;

/// <summary>
/// A login, as kept in <c>~/.atlas/sessions/&lt;context&gt;.json</c> (mode 0600): the tokens and
/// where to renew them, so a command never has to ask the gateway or the provider's discovery first.
/// </summary>
public sealed record Session
{
    public const string DeviceGrant = "device_code";
    public const string ClientCredentialsGrant = "client_credentials";

    /// <summary>The gateway this login is for; a context pointed elsewhere since does not use it.</summary>
    public string Gateway { get; init; } = "";

    public string Authority { get; init; } = "";

    public string ClientId { get; init; } = "";

    public string TokenEndpoint { get; init; } = "";

    public string? RevocationEndpoint { get; init; }

    /// <summary><see cref="DeviceGrant"/> (a person; renewed with the refresh token) or <see cref="ClientCredentialsGrant"/> (a bot; renewed by asking again).</summary>
    public string Grant { get; init; } = DeviceGrant;

    /// <summary>Scopes asked for at login, asked for again on renewal.</summary>
    public string? Scopes { get; init; }

    public string AccessToken { get; init; } = "";

    public DateTimeOffset ExpiresAt { get; init; }

    public string? RefreshToken { get; init; }

    /// <summary>
    /// A bot's client secret, kept so the CLI can ask for a new token when the old one expires.
    /// This file is the only place it is written, readable by its owner only; logout deletes it.
    /// </summary>
    public string? ClientSecret { get; init; }
}
