using System.Text.Json;
using System.Text.RegularExpressions;
using Atlas.Cli.Auth;
using Atlas.Cli.Config;
using Atlas.Testing;

namespace Atlas.Cli.Tests.Commands;

/// <summary>
/// <c>atlas login</c>, <c>logout</c>, <c>whoami</c> and the bearer token on every call: the real root
/// command against a real OpenID Connect provider (npm oidc-provider, <see cref="OidcProviderServer"/>)
/// and the stand-in gateway, which plays the server side at the <c>/api/v1/auth/config</c> seam.
/// </summary>
public sealed partial class LoginTests : IAsyncLifetime
{
    private readonly TempFolder _home = new("atlas-home");
    private StandInGateway _gateway = null!;
    private OidcProviderServer? _provider;

    public async ValueTask InitializeAsync() => _gateway = await StandInGateway.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
        _home.Dispose();
    }

    private GatewayTarget Target => new(new Uri(_gateway.Url), null);

    private string SessionPath => SessionStore.PathFor(_home.Path, Target);

    [Fact]
    public async Task Login_DeviceFlowApproved_SavesPrivateSessionAndSaysWho()
    {
        await StartProviderAsync();

        var (code, stdout, stderr) = await LoginAsAsync("alice");

        code.ShouldBe(0, stderr);
        stdout.ShouldContain($"open {_provider!.Issuer}/device and enter the code ");
        stdout.ShouldContain($"Logged in to {_gateway.Url}/ as alice (roles: atlas-user).");
        File.GetUnixFileMode(SessionPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(SessionStore.FolderFor(_home.Path)).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var session = ReadSession();
        session.RefreshToken.ShouldNotBeNullOrEmpty();
        session.Grant.ShouldBe(Session.DeviceGrant);
        var claims = JwtPayload.Read(session.AccessToken);
        claims.GetProperty("aud").GetString().ShouldBe("atlas-api");
        claims.GetProperty("preferred_username").GetString().ShouldBe("alice");
    }

    [Fact]
    public async Task Login_DeviceFlowDenied_OneLineAndNoSession()
    {
        await StartProviderAsync();

        var (code, _, stderr) = await LoginAsync(userCode => _provider!.DenyDeviceAsync(userCode));

        code.ShouldBe(1);
        stderr.ShouldBe("error: the login was denied at the identity provider\n");
        File.Exists(SessionPath).ShouldBeFalse();
    }

    [Fact]
    public async Task Login_CodeNeverApproved_OneLineThatItExpired()
    {
        _provider = await OidcProviderServer.StartAsync(deviceCodeTtl: TimeSpan.FromSeconds(2));
        _gateway.AuthConfig = _provider.AuthConfig();

        var (code, _, stderr) = await LoginAsync(_ => Task.CompletedTask);

        code.ShouldBe(1);
        stderr.ShouldBe("error: the login code expired before it was approved: run 'atlas login' again\n");
        File.Exists(SessionPath).ShouldBeFalse();
    }

    [Fact]
    public async Task Login_WithContext_KeepsSessionUnderThatContext()
    {
        await StartProviderAsync();
        (await RunAsync(null, "context", "set", "lab", "--url", _gateway.Url)).Code.ShouldBe(0);

        var (code, stdout, stderr) = await LoginAsync(userCode => _provider!.ApproveDeviceAsync(userCode, "bob"), url: null, "--context", "lab");

        code.ShouldBe(0, stderr);
        stdout.ShouldContain("Logged in to context 'lab' as bob");
        File.Exists(_home.Combine(".atlas", "sessions", "lab.json")).ShouldBeTrue();
        (await RunAsync(null, "ls", "--context", "lab")).Code.ShouldBe(0);
        JwtPayload.Read(_gateway.BearerTokens[^1]!).GetProperty("sub").GetString().ShouldBe("bob");
    }

    [Fact]
    public async Task Ls_AfterLogin_CarriesAlicesBearerToken()
    {
        await StartProviderAsync();
        (await LoginAsAsync("alice")).Code.ShouldBe(0);

        var (code, stdout, stderr) = await RunAsync(_gateway.Url, "ls");

        code.ShouldBe(0, stderr);
        stdout.ShouldContain(StandInGateway.KnownId);
        _gateway.BearerTokens.ShouldHaveSingleItem().ShouldBe(ReadSession().AccessToken);
    }

    [Fact]
    public async Task Ls_OidcClusterWithoutLogin_OneLineToLogIn()
    {
        await StartProviderAsync();

        var (code, _, stderr) = await RunAsync(_gateway.Url, "ls");

        code.ShouldBe(1);
        stderr.ShouldBe($"error: the cluster at {_gateway.Url}/ wants you to log in: run 'atlas login'\n");
    }

    [Fact]
    public async Task Ls_GatewayRefusesToken_OneLineToLogInAgain()
    {
        await StartProviderAsync();
        (await LoginAsAsync("alice")).Code.ShouldBe(0);
        _gateway.RefuseAllTokens = true;

        var (code, _, stderr) = await RunAsync(_gateway.Url, "ls");

        code.ShouldBe(1);
        stderr.ShouldBe($"error: the cluster at {_gateway.Url}/ refused your session for {_gateway.Url}/: run 'atlas login' again\n");
    }

    [Fact]
    public async Task Ls_AccessTokenExpired_RenewsWithRefreshTokenFirst()
    {
        await StartProviderAsync(accessTokenTtl: TimeSpan.FromSeconds(2));
        (await LoginAsAsync("alice")).Code.ShouldBe(0);
        var before = ReadSession();
        await JwtPayload.WaitUntilExpiredAsync(before.AccessToken, TestContext.Current.CancellationToken);

        var (code, _, stderr) = await RunAsync(_gateway.Url, "ls");

        code.ShouldBe(0, stderr); // the stand-in answers 401 to an expired token
        var sent = _gateway.BearerTokens.ShouldHaveSingleItem()!;
        sent.ShouldNotBe(before.AccessToken);
        JwtPayload.Read(sent).GetProperty("sub").GetString().ShouldBe("alice");
        var after = ReadSession();
        after.AccessToken.ShouldBe(sent);
        after.RefreshToken.ShouldNotBe(before.RefreshToken); // rotated by the provider, and kept
        File.GetUnixFileMode(SessionPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task Ls_RefreshTokenRevoked_OneLineToLogInAgain()
    {
        await StartProviderAsync(accessTokenTtl: TimeSpan.FromSeconds(2));
        (await LoginAsAsync("alice")).Code.ShouldBe(0);
        await _provider!.RevokeRefreshTokenAsync(ReadSession().RefreshToken!, TestContext.Current.CancellationToken);

        var (code, stdout, stderr) = await RunAsync(_gateway.Url, "ls");

        code.ShouldBe(1);
        stdout.ShouldBeEmpty();
        stderr.ShouldBe($"error: your session for {_gateway.Url}/ has expired: run 'atlas login' again\n");
        _gateway.BearerTokens.ShouldBeEmpty();
    }

    [Fact]
    public async Task Ls_RefreshTokenExpired_OneLineToLogInAgain()
    {
        await StartProviderAsync(accessTokenTtl: TimeSpan.FromSeconds(1), refreshTokenTtl: TimeSpan.FromSeconds(2));
        (await LoginAsAsync("alice")).Code.ShouldBe(0);
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);

        var (code, _, stderr) = await RunAsync(_gateway.Url, "status", StandInGateway.KnownId);

        code.ShouldBe(1);
        stderr.ShouldBe($"error: your session for {_gateway.Url}/ has expired: run 'atlas login' again\n");
    }

    [Fact]
    public async Task Login_ClientCredentialsFromEnvironment_BotSessionRenewsByAskingAgain()
    {
        await StartProviderAsync(accessTokenTtl: TimeSpan.FromSeconds(2));

        var (code, stdout, stderr) = await RunAsync(_gateway.Url,
            env: new() { ["ATLAS_CLIENT_SECRET"] = OidcProviderServer.BotClientSecret }, "login", "--client-id", OidcProviderServer.BotClientId);

        code.ShouldBe(0, stderr);
        stdout.ShouldContain("as service-account-atlas-ci-bot (roles: atlas-user)");
        stdout.ShouldContain("client secret are kept in");
        var session = ReadSession();
        session.Grant.ShouldBe(Session.ClientCredentialsGrant);
        session.RefreshToken.ShouldBeNull();
        await JwtPayload.WaitUntilExpiredAsync(session.AccessToken, TestContext.Current.CancellationToken);

        (await RunAsync(_gateway.Url, "ls")).Code.ShouldBe(0);
        var sent = _gateway.BearerTokens.ShouldHaveSingleItem()!;
        sent.ShouldNotBe(session.AccessToken);
        JwtPayload.Read(sent).GetProperty("sub").GetString().ShouldBe(OidcProviderServer.BotClientId);
    }

    [Fact]
    public async Task Login_ClientCredentialsWrongSecret_OneLineAndNoSession()
    {
        await StartProviderAsync();

        var (code, _, stderr) = await RunAsync(_gateway.Url, "login", "--client-id", OidcProviderServer.BotClientId, "--client-secret", "wrong");

        code.ShouldBe(1);
        stderr.ShouldStartWith($"error: the identity provider refused client '{OidcProviderServer.BotClientId}': invalid_client");
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldHaveSingleItem();
        File.Exists(SessionPath).ShouldBeFalse();
    }

    [Theory]
    [InlineData(new[] { "login", "--client-id", "bot" }, "error: --client-secret: required with --client-id (or set ATLAS_CLIENT_SECRET)\n")]
    [InlineData(new[] { "login", "--client-secret", "s" }, "error: --client-secret: give --client-id with it\n")]
    public async Task Login_SecretWithoutIdOrIdWithoutSecret_UsageErrorNamesOption(string[] args, string expected)
    {
        var (code, _, stderr) = await RunAsync(_gateway.Url, args);

        code.ShouldBe(2);
        stderr.ShouldBe(expected);
    }

    [Fact]
    public async Task Login_SingleUserCluster_SaysNoLoginIsNeeded()
    {
        var (code, stdout, _) = await RunAsync(_gateway.Url, "login");

        code.ShouldBe(0);
        stdout.ShouldBe($"The cluster at {_gateway.Url}/ runs in single-user mode: no login is needed.\n");
        File.Exists(SessionPath).ShouldBeFalse();
    }

    [Fact]
    public async Task Whoami_LoggedIn_ShowsClusterUserRolesAndExpiry()
    {
        await StartProviderAsync();
        (await LoginAsAsync("admin")).Code.ShouldBe(0);

        var (code, stdout, stderr) = await RunAsync(_gateway.Url, "whoami");

        code.ShouldBe(0, stderr);
        stdout.ShouldContain($"cluster:   {_gateway.Url}/");
        stdout.ShouldContain($"mode:      oidc ({_provider!.Issuer})");
        stdout.ShouldContain("user:      admin");
        stdout.ShouldContain("roles:     atlas-admin (admin: sees every job)");
        stdout.ShouldContain("expires:   ");
        stdout.ShouldContain("renewed with the refresh token when due");

        var json = await RunAsync(_gateway.Url, "whoami", "--output", "json");
        using var doc = JsonDocument.Parse(json.Stdout);
        doc.RootElement.GetProperty("user").GetString().ShouldBe("admin");
        doc.RootElement.GetProperty("admin").GetBoolean().ShouldBeTrue();
        doc.RootElement.GetProperty("expiresAt").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(4));
    }

    [Fact]
    public async Task Whoami_NotLoggedInOrSingleUser_SaysSo()
    {
        (await RunAsync(_gateway.Url, "whoami")).Stdout.ShouldContain("mode:      single-user");

        await StartProviderAsync();
        var (code, _, stderr) = await RunAsync(_gateway.Url, "whoami");

        code.ShouldBe(1);
        stderr.ShouldBe($"error: not logged in to {_gateway.Url}/: run 'atlas login'\n");
    }

    [Fact]
    public async Task Logout_AfterLogin_RevokesRefreshTokenAndDeletesSession()
    {
        await StartProviderAsync();
        (await LoginAsAsync("alice")).Code.ShouldBe(0);
        var session = ReadSession();

        var (code, stdout, stderr) = await RunAsync(_gateway.Url, "logout");

        code.ShouldBe(0, stderr);
        stderr.ShouldBeEmpty();
        stdout.ShouldBe($"Logged out of {_gateway.Url}/.\n");
        File.Exists(SessionPath).ShouldBeFalse();
        using var oidc = new OidcClient();
        var answer = await oidc.RequestTokenAsync(session.TokenEndpoint, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = session.RefreshToken!, ["client_id"] = OidcProviderServer.CliClientId,
        }, null, TestContext.Current.CancellationToken);
        answer.Error.ShouldBe("invalid_grant");
        (await RunAsync(_gateway.Url, "logout")).Stdout.ShouldBe($"Not logged in to {_gateway.Url}/.\n");
    }

    private async Task StartProviderAsync(TimeSpan? accessTokenTtl = null, TimeSpan? refreshTokenTtl = null)
    {
        _provider = await OidcProviderServer.StartAsync(accessTokenTtl, refreshTokenTtl);
        _gateway.AuthConfig = _provider.AuthConfig();
    }

    private Task<(int Code, string Stdout, string Stderr)> LoginAsAsync(string account) =>
        LoginAsync(userCode => _provider!.ApproveDeviceAsync(userCode, account));

    private Task<(int Code, string Stdout, string Stderr)> LoginAsync(Func<string, Task> approve) => LoginAsync(approve, _gateway.Url);

    // Runs `atlas login`, reads the user code it prints while it polls, and acts on it as the person would.
    private async Task<(int Code, string Stdout, string Stderr)> LoginAsync(Func<string, Task> approve, string? url, params string[] extra)
    {
        var stdout = new StringWriter();
        var synced = TextWriter.Synchronized(stdout);
        var stderr = new StringWriter();
        var context = new CliContext(synced, stderr, name => name == "ATLAS_URL" ? url : null, _home.Path);
        var run = AtlasCli.RunAsync(["login", .. extra], context);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            string text;
            lock (synced)
            {
                text = stdout.ToString();
            }
            if (UserCode().Match(text) is { Success: true } match)
            {
                await approve(match.Groups[1].Value);
                break;
            }
            if (run.IsCompleted || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"login printed no user code: {text} {stderr} {_provider?.Output}");
            }
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        var code = await run;
        return (code, Normalize(stdout.ToString()), Normalize(stderr.ToString()));
    }

    private Task<(int Code, string Stdout, string Stderr)> RunAsync(string? url, params string[] args) => RunAsync(url, env: [], args);

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string? url, Dictionary<string, string> env, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, name => name == "ATLAS_URL" ? url : env.GetValueOrDefault(name), _home.Path);
        var code = await AtlasCli.RunAsync(args, context);
        return (code, Normalize(stdout.ToString()), Normalize(stderr.ToString()));
    }

    private Session ReadSession() => SessionStore.Load(_home.Path, Target).ShouldNotBeNull();

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    [GeneratedRegex(@"enter the code (\S+)")]
    private static partial Regex UserCode();
}
