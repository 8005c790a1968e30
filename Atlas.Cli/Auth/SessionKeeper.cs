using Atlas.Cli.Config;

namespace Atlas.Cli.Auth;

/// <summary>
/// Hands out a usable access token for one gateway's session, renewing it first when it expires
/// within <see cref="RenewBefore"/>: a person's with the refresh token, a bot's by asking again with
/// its client secret. The renewed session is saved before it is used, so the next command starts
/// from it. When renewal is refused the user gets one line: log in again.
/// </summary>
/// <remarks>
/// Two commands renewing at the same moment can race: with refresh-token rotation the provider
/// accepts the first and may revoke the grant on the second. That costs a login, never data.
/// </remarks>
public sealed class SessionKeeper(CliContext context, GatewayTarget target)
{
    /// <summary>A token this close to expiry is renewed before a call, so it never expires in flight.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(1);

    public GatewayTarget Target => target;

    /// <summary>The access token to send, or null when there is no session for this gateway (the call goes without one).</summary>
    public async Task<string?> AccessTokenAsync(CancellationToken cancellationToken)
    {
        var session = SessionStore.Load(context.Home, target);
        if (session is null)
        {
            return null;
        }
        if (session.ExpiresAt - context.Time.GetUtcNow() > RenewBefore)
        {
            return session.AccessToken;
        }
        return (await RenewAsync(session, cancellationToken)).AccessToken;
    }

    /// <summary>Gets new tokens for <paramref name="session"/>, saves and returns them.</summary>
    public async Task<Session> RenewAsync(Session session, CancellationToken cancellationToken)
    {
        using var oidc = new OidcClient();
        TokenResponse answer;
        if (session.Grant == Session.ClientCredentialsGrant)
        {
            if (session.ClientSecret is null)
            {
                throw Expired();
            }
            answer = await oidc.RequestTokenAsync(session.TokenEndpoint, LoginFlow.ClientCredentialsForm(session.Scopes),
                new ClientSecret(session.ClientId, session.ClientSecret), cancellationToken);
            if (answer.Error is not null)
            {
                throw new CliException($"the identity provider refused the client credentials of '{session.ClientId}' for {target.Label}: " +
                    $"{OidcClient.Describe(answer)}; run 'atlas login --client-id {session.ClientId}' again");
            }
        }
        else
        {
            if (session.RefreshToken is null)
            {
                throw Expired();
            }
            answer = await oidc.RequestTokenAsync(session.TokenEndpoint, new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = session.RefreshToken,
                ["client_id"] = session.ClientId,
            }, null, cancellationToken);
            if (answer.Error is not null)
            {
                // invalid_grant: the refresh token expired, was revoked, or was already used.
                throw Expired();
            }
        }
        var renewed = WithTokens(session, answer, context.Time.GetUtcNow());
        SessionStore.Save(context.Home, target, renewed);
        return renewed;
    }

    /// <summary>The one line for a session that cannot be renewed.</summary>
    public CliException Expired() => new($"your session for {target.Label} has expired: run 'atlas login' again");

    /// <summary><paramref name="session"/> with the tokens of <paramref name="answer"/>; a refresh token not rotated is kept.</summary>
    public static Session WithTokens(Session session, TokenResponse answer, DateTimeOffset now) => session with
    {
        AccessToken = answer.AccessToken!,
        RefreshToken = answer.RefreshToken ?? session.RefreshToken,
        ExpiresAt = answer.ExpiresIn is { } seconds
            ? now.AddSeconds(seconds)
            : AccessTokenClaims.Read(answer.AccessToken!).ExpiresAt ?? now, // unknown: renew on next use
    };
}
