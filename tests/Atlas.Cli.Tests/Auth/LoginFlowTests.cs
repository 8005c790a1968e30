using Atlas.Cli.Auth;
using Atlas.Cli.Config;

namespace Atlas.Cli.Tests.Auth;

/// <summary>
/// The device flow's polling rules (RFC 8628 §3.5) for the answers the real provider in the other
/// tests never gives: <c>slow_down</c> and <c>expired_token</c>. A scripted provider stands in at the
/// HTTP seam, FakeTimeProvider for the clock.
/// </summary>
public sealed class LoginFlowTests
{
    private static readonly OidcMetadata Metadata = new()
    {
        Issuer = "http://idp.invalid",
        DeviceAuthorizationEndpoint = ScriptedTokenEndpoint.DeviceEndpoint,
        TokenEndpoint = ScriptedTokenEndpoint.TokenEndpoint,
    };

    private static readonly AuthConfig Config = new()
    {
        Mode = AuthConfig.Oidc, Authority = "http://idp.invalid", CliClientId = "atlas-cli", Scopes = "openid offline_access",
    };

    [Fact]
    public async Task DeviceAsync_SlowDownThenPending_WaitsFiveSecondsLongerThenSucceeds()
    {
        var provider = new ScriptedTokenEndpoint("slow_down", "authorization_pending", """{"access_token":"at","refresh_token":"rt","expires_in":300}""");
        var clock = new SteppedClock();

        var session = await RunAsync(provider, clock);

        clock.Waits.ShouldBe([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(6)]);
        session.AccessToken.ShouldBe("at");
        session.RefreshToken.ShouldBe("rt");
        session.ExpiresAt.ShouldBe(clock.GetUtcNow().AddSeconds(300));
        provider.TokenRequests.ShouldAllBe(form => form.Contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code") && form.Contains("client_id=atlas-cli"));
    }

    [Fact]
    public async Task DeviceAsync_ExpiredToken_OneLineToLogInAgain()
    {
        var error = await Should.ThrowAsync<CliException>(() => RunAsync(new ScriptedTokenEndpoint("authorization_pending", "expired_token"), new SteppedClock()));

        error.Message.ShouldBe("the login code expired before it was approved: run 'atlas login' again");
    }

    [Fact]
    public async Task DeviceAsync_UnknownError_NamesIt()
    {
        var error = await Should.ThrowAsync<CliException>(() => RunAsync(new ScriptedTokenEndpoint("invalid_client"), new SteppedClock()));

        error.Message.ShouldBe("the identity provider refused the login: invalid_client");
    }

    private static async Task<Session> RunAsync(ScriptedTokenEndpoint provider, SteppedClock clock)
    {
        var context = new CliContext(TextWriter.Null, TextWriter.Null, _ => null, Path.GetTempPath()) { Time = clock };
        using var oidc = new OidcClient(provider);
        var cancellationToken = TestContext.Current.CancellationToken;
        return await clock.RunAsync(
            LoginFlow.DeviceAsync(context, new GatewayTarget(new Uri("http://gateway.invalid"), null), Config, oidc, Metadata, cancellationToken),
            cancellationToken);
    }
}
