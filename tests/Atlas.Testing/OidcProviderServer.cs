using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Net;

namespace Atlas.Testing;

/// <summary>
/// A real OpenID Connect provider that nobody here wrote: npm <c>oidc-provider</c>, run by
/// <c>tests/oidc-provider/server.mjs</c> under Node on a free loopback port, killed on dispose. It
/// issues Keycloak-shaped JWTs (<c>aud: atlas-api</c>, <c>realm_access.roles</c>) to the public client
/// <c>atlas-cli</c> (device flow, refresh tokens) and the bot <see cref="BotClientId"/> (client
/// credentials), and has a test-only endpoint that approves a device code without a browser.
/// Needs <c>node</c> and <c>npm ci</c> in that folder (<c>eng/test.sh</c> does both); fails in CI without them.
/// </summary>
public sealed class OidcProviderServer : IAsyncDisposable
{
    /// <summary>The bot client. Its secret is a development-only value, known to server.mjs and the tests.</summary>
    public const string BotClientId = "atlas-ci-bot";
    public const string BotClientSecret = "dev-only-atlas-ci-bot-secret";
    public const string CliClientId = "atlas-cli";
    public const string Audience = "atlas-api";

    private readonly Process _process;
    private readonly List<string> _output = [];

    private OidcProviderServer(Process process, int port)
    {
        _process = process;
        Issuer = $"http://127.0.0.1:{port}";
    }

    /// <summary>The issuer URL, which is also the authority the gateway announces.</summary>
    public string Issuer { get; }

    /// <summary>What the provider printed (warnings, server errors), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <param name="accessTokenTtl">How long access tokens live (the realm's 5 minutes by default; tests of renewal use seconds).</param>
    /// <param name="refreshTokenTtl">How long refresh tokens live (an hour by default).</param>
    /// <param name="deviceCodeTtl">How long a device login waits for approval (10 minutes by default).</param>
    public static async Task<OidcProviderServer> StartAsync(TimeSpan? accessTokenTtl = null, TimeSpan? refreshTokenTtl = null, TimeSpan? deviceCodeTtl = null)
    {
        var folder = FindFolder();
        var node = RedisServer.FindOnPath("node") ?? throw TestEnvironment.Missing("node (Node.js 20.19 or newer)");
        if (await NodeVersionAsync(node) is { } version && version < new Version(20, 19))
        {
            throw TestEnvironment.Missing($"Node.js 20.19 or newer (found {version}; oidc-provider 9 needs it)");
        }
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "oidc-provider")))
        {
            throw TestEnvironment.Missing($"npm package oidc-provider (run `npm ci` in {folder})");
        }
        // A try can lose its port to another process between picking it and node binding it, and then
        // node exits; each try gets a fresh port, and a try that neither listens nor exits is given up.
        var failures = new List<string>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var server = Launch(node, folder, LoopbackPorts.Next(), accessTokenTtl, refreshTokenTtl, deviceCodeTtl, out var listening);
            try
            {
                await listening.WaitAsync(TimeSpan.FromSeconds(30));
                return server;
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                failures.Add($"try {attempt}: {ex.Message}\n{server.Output}");
                await server.DisposeAsync();
            }
        }
        throw new TimeoutException($"The test OIDC provider did not start:\n{string.Join("\n", failures)}");
    }

    private static OidcProviderServer Launch(string node, string folder, int port, TimeSpan? accessTokenTtl, TimeSpan? refreshTokenTtl, TimeSpan? deviceCodeTtl, out Task listening)
    {
        var info = new ProcessStartInfo(node)
        {
            ArgumentList = { "server.mjs" },
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        info.Environment["ACCESS_TOKEN_TTL"] = Seconds(accessTokenTtl ?? TimeSpan.FromMinutes(5));
        info.Environment["REFRESH_TOKEN_TTL"] = Seconds(refreshTokenTtl ?? TimeSpan.FromHours(1));
        info.Environment["DEVICE_CODE_TTL"] = Seconds(deviceCodeTtl ?? TimeSpan.FromMinutes(10));
        info.Environment["DEVICE_POLL_INTERVAL"] = "1";
        // Events on before the start, so an exit at once is seen too.
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new OidcProviderServer(process, port);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            server.Append(e.Data);
            if (e.Data?.StartsWith("listening ", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("the OIDC provider exited"));
        if (!process.Start())
        {
            throw new InvalidOperationException("node did not start.");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        listening = ready.Task;
        return server;
    }

    /// <summary>TEST-ONLY endpoint: approves the pending device login with <paramref name="userCode"/> as <paramref name="account"/> (alice, bob, admin).</summary>
    public Task ApproveDeviceAsync(string userCode, string account, CancellationToken cancellationToken = default) =>
        PostTestAsync("/test/device/approve", new Dictionary<string, string> { ["user_code"] = userCode, ["account"] = account }, cancellationToken);

    /// <summary>TEST-ONLY endpoint: the person says no to the pending device login.</summary>
    public Task DenyDeviceAsync(string userCode, CancellationToken cancellationToken = default) =>
        PostTestAsync("/test/device/deny", new Dictionary<string, string> { ["user_code"] = userCode }, cancellationToken);

    /// <summary>Revokes a refresh token at the provider's standard revocation endpoint, as an administrator ending a session would.</summary>
    public async Task RevokeRefreshTokenAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient();
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = refreshToken, ["token_type_hint"] = "refresh_token", ["client_id"] = CliClientId,
        });
        using var response = await http.PostAsync(new Uri(Issuer + "/token/revocation"), content, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>An access token for the bot client (client credentials), for test code that calls the API itself.</summary>
    public async Task<string> BotAccessTokenAsync(CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient();
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Issuer + "/token")) { Content = content };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{BotClientId}:{BotClientSecret}")));
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>
    /// An access token of <paramref name="account"/> (alice, bob, admin) through the CLI's device flow,
    /// approved with the TEST-ONLY endpoint: for tests that act as a user without the CLI.
    /// </summary>
    public async Task<string> UserAccessTokenAsync(string account, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient();
        using var start = await http.PostAsync(new Uri(Issuer + "/device/auth"),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["client_id"] = CliClientId, ["scope"] = "openid" }), cancellationToken);
        start.EnsureSuccessStatusCode();
        var device = await start.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        await ApproveDeviceAsync(device.GetProperty("user_code").GetString()!, account, cancellationToken);
        using var token = await http.PostAsync(new Uri(Issuer + "/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:device_code",
            ["device_code"] = device.GetProperty("device_code").GetString()!,
            ["client_id"] = CliClientId,
        }), cancellationToken);
        token.EnsureSuccessStatusCode();
        return (await token.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("access_token").GetString()!;
    }

    /// <summary>The gateway's <c>/api/v1/auth/config</c> answer for a cluster that trusts this provider.</summary>
    public object AuthConfig() => new { mode = "oidc", authority = Issuer, audience = Audience, cliClientId = CliClientId, scopes = "openid offline_access" };

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private async Task PostTestAsync(string path, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        using var content = new FormUrlEncodedContent(form);
        using var response = await http.PostAsync(new Uri(Issuer + path), content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            throw new InvalidOperationException($"{path} failed ({(int)response.StatusCode}): {body}");
        }
    }

    private static async Task<Version?> NodeVersionAsync(string node)
    {
        using var process = Process.Start(new ProcessStartInfo(node, "--version") { RedirectStandardOutput = true, UseShellExecute = false });
        if (process is null)
        {
            return null;
        }
        var text = (await process.StandardOutput.ReadToEndAsync()).Trim().TrimStart('v');
        await process.WaitForExitAsync();
        return Version.TryParse(text, out var version) ? version : null;
    }

    private static string Seconds(TimeSpan span) => ((int)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static string FindFolder() =>
        Path.Combine(AtlasBuildInfo.RepoRoot(typeof(OidcProviderServer).Assembly), "tests", "oidc-provider");

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Add(line);
        }
    }
}
