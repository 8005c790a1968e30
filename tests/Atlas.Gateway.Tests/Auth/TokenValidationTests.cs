using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Core.Jobs;
using Atlas.Gateway.Tests.Routing;
using Atlas.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Atlas.Gateway.Tests.Auth;

/// <summary>
/// The real gateway with auth on, checking tokens against a real issuer on loopback (discovery
/// and JWKS over HTTP). Every bad token is a 401 that says nothing about why, and never reaches
/// the stand-in master or node behind the gateway.
/// </summary>
public sealed class TokenValidationTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private TestIssuer _issuer = null!;
    private Upstream _master = null!;
    private WebApplicationFactory<Program> _gateway = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _issuer = await TestIssuer.StartAsync();
        _master = await Upstream.StartAsync("master");
        _gateway = GatewayHost.Create(redis.ConnectionString, [_master.Url], authority: _issuer.Authority);
        _client = _gateway.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _master.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    public static TheoryData<string> BadTokens() =>
    [
        "missing", "garbage", "expired", "not-yet-valid", "wrong-issuer", "wrong-audience", "no-audience",
        "alg-none", "hs256-with-public-key", "unknown-kid", "tampered-payload", "no-subject",
    ];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Api_BadToken_Is401WithoutDetail(string kind)
    {
        var token = BadToken(kind);
        var jobId = JobId.New(DateTimeOffset.UtcNow);

        foreach (var (method, path) in new[] { ("GET", "/api/v1/jobs"), ("GET", $"/api/v1/jobs/{jobId}/logs"), ("POST", $"/api/v1/jobs/{jobId}/stop"), ("GET", "/api/v1/me") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await _client.SendAsync(request, Ct);

            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{kind} {method} {path}");
            response.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            var body = await response.Content.ReadAsStringAsync(Ct);
            JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32().ShouldBe(401);
            foreach (var leak in new[] { "signature", "expired", "lifetime", "issuer", "audience", "kid", "IDX", "alg", _issuer.RsaKey.Id, "master" })
            {
                body.ShouldNotContain(leak, Case.Insensitive, $"{kind}: {body}");
            }
        }
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    [InlineData("PS256")]
    public async Task Me_TokenSignedWithAllowedAlgorithm_ReturnsCaller(string algorithm)
    {
        var key = algorithm switch
        {
            "ES256" => _issuer.EcKey,
            "PS256" => _issuer.RsaKey with { Credentials = new SigningCredentials(_issuer.RsaKey.Credentials.Key, SecurityAlgorithms.RsaSsaPssSha256) },
            _ => _issuer.RsaKey,
        };
        var token = _issuer.Mint("sub-alice", "alice", ["atlas-user"], key);

        var me = await GetMeAsync(token);

        me.ShouldNotBeNull();
        me["sub"]!.GetValue<string>().ShouldBe("sub-alice");
        me["username"]!.GetValue<string>().ShouldBe("alice");
        me["roles"]!.AsArray().Select(r => r!.GetValue<string>()).ShouldBe(["atlas-user"]);
        me["admin"]!.GetValue<bool>().ShouldBeFalse();
        me["mode"]!.GetValue<string>().ShouldBe("oidc");
    }

    [Fact]
    public async Task Me_AdminRoleAndNoUsername_IsAdminNamedBySubject()
    {
        var me = await GetMeAsync(_issuer.Mint("sub-root", roles: ["atlas-admin"]));

        me!["admin"]!.GetValue<bool>().ShouldBeTrue();
        me["username"]!.GetValue<string>().ShouldBe("sub-root");
    }

    [Fact]
    public async Task Me_TokenNamesRoleClaimDirectly_IsNotBelieved()
    {
        var me = await GetMeAsync(_issuer.Mint("sub-alice", "alice", ["atlas-user"], change: d => d.Claims["atlas:role"] = "atlas-admin"));

        me!["admin"]!.GetValue<bool>().ShouldBeFalse();
        me["roles"]!.AsArray().Select(r => r!.GetValue<string>()).ShouldBe(["atlas-user"]);
    }

    [Fact]
    public async Task Api_TokenWithoutUserRole_Is403()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/jobs");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _issuer.Mint("sub-guest", "guest", roles: []));

        using var response = await _client.SendAsync(request, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("atlas-user");
    }

    [Fact]
    public async Task Api_ValidToken_IsForwardedToMaster()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/jobs");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _issuer.Mint("sub-alice", "alice"));

        using var response = await _client.SendAsync(request, Ct);

        (await response.Content.ReadAsStringAsync(Ct)).ShouldBe("master GET /api/v1/jobs");
    }

    [Theory]
    [InlineData("//api/v1/jobs")]
    [InlineData("/api//v1/jobs")]
    [InlineData("/API/v1/jobs")]
    [InlineData("/%61pi/v1/jobs")]
    [InlineData("/openapi/../api/v1/jobs")]
    [InlineData("/openapi/%2e%2e/api/v1/jobs")]
    [InlineData("/api/v1/auth/config/../../jobs")]
    public async Task Api_OddPathSpelling_NoToken_Is401(string path)
    {
        using var response = await _client.GetAsync(path, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, path);
    }

    [Fact]
    public async Task OpenEndpoints_NoToken_Answer()
    {
        (await _client.GetAsync("/alive", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _client.GetStringAsync("/openapi/v1.json", Ct)).ShouldBe("master GET /openapi/v1.json");
        var config = JsonNode.Parse(await _client.GetStringAsync("/api/v1/auth/config", Ct))!;
        config["mode"]!.GetValue<string>().ShouldBe("oidc");
        config["authority"]!.GetValue<string>().ShouldBe(_issuer.Authority);
        config["audience"]!.GetValue<string>().ShouldBe("atlas-api");
        config["cliClientId"]!.GetValue<string>().ShouldBe("atlas-cli");
        config["scopes"]!.GetValue<string>().ShouldBe("openid offline_access");
    }

    [Fact]
    public async Task Me_KeysRotated_NewKeyAcceptedAndRotatedOutKeyRefused()
    {
        var before = _issuer.Mint("sub-alice", "alice");
        (await GetMeAsync(before)).ShouldNotBeNull();

        _issuer.RotateKeys();
        var after = _issuer.Mint("sub-alice", "alice");

        // The unknown key id makes the gateway read the JWKS again; that happens in the background,
        // so the first call may still be refused.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await GetMeAsync(after) is null)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the new key was never accepted");
            await Task.Delay(100, Ct);
        }
        (await GetMeAsync(before)).ShouldBeNull();
    }

    private string? BadToken(string kind) => kind switch
    {
        "missing" => null,
        "garbage" => "not.a.token",
        "expired" => _issuer.Mint("sub-alice", "alice", change: d =>
        {
            d.IssuedAt = DateTime.UtcNow.AddHours(-2);
            d.NotBefore = DateTime.UtcNow.AddHours(-2);
            d.Expires = DateTime.UtcNow.AddMinutes(-5); // beyond the 30 s clock skew
        }),
        "not-yet-valid" => _issuer.Mint("sub-alice", "alice", change: d =>
        {
            d.IssuedAt = DateTime.UtcNow;
            d.NotBefore = DateTime.UtcNow.AddMinutes(5);
            d.Expires = DateTime.UtcNow.AddMinutes(10);
        }),
        "wrong-issuer" => _issuer.Mint("sub-alice", "alice", change: d => d.Issuer = "http://127.0.0.1:1/realms/other"),
        "wrong-audience" => _issuer.Mint("sub-alice", "alice", change: d => d.Audience = "account"),
        "no-audience" => _issuer.Mint("sub-alice", "alice", change: d => d.Audience = null),
        "alg-none" => _issuer.Unsigned("sub-alice"),
        "hs256-with-public-key" => _issuer.SignedWithPublicKeyAsSecret("sub-alice"),
        "unknown-kid" => _issuer.Mint("sub-alice", "alice", key: TestSigningKey.NewRsa()),
        "tampered-payload" => TestIssuer.WithPayload(_issuer.Mint("sub-alice", "alice"), p =>
            p["realm_access"] = new JsonObject { ["roles"] = new JsonArray("atlas-user", "atlas-admin") }),
        "no-subject" => _issuer.Mint("sub-alice", "alice", change: d => d.Claims.Remove("sub")),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private async Task<JsonNode?> GetMeAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _client.SendAsync(request, Ct);
        return response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct)) : null;
    }
}
