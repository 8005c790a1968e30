using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Atlas.Testing;

/// <summary>
/// A small OpenID Connect issuer on 127.0.0.1, shaped like a Keycloak realm: it serves discovery
/// and a JWKS, mints access tokens with its RSA or EC keys, rotates keys, and forges the tokens a
/// validator must refuse (unsigned, HS256 keyed with the public key, unknown key, tampered).
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    public const string Audience = "atlas-api";

    private readonly WebApplication _app;
    private readonly object _gate = new();
    private List<TestSigningKey> _keys;
    private int _jwksReads;

    private TestIssuer(WebApplication app, string authority, List<TestSigningKey> keys)
    {
        _app = app;
        Authority = authority;
        _keys = keys;
    }

    /// <summary>The issuer URL, as Keycloak's: <c>http://127.0.0.1:PORT/realms/atlas</c>.</summary>
    public string Authority { get; }

    /// <summary>How many times the JWKS was read: a validator re-reads it after a rotation.</summary>
    public int JwksReads => Volatile.Read(ref _jwksReads);

    /// <summary>The current RSA signing key (the EC key is <see cref="EcKey"/>).</summary>
    public TestSigningKey RsaKey { get { lock (_gate) { return _keys[0]; } } }

    public TestSigningKey EcKey { get { lock (_gate) { return _keys[1]; } } }

    public static async Task<TestIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        TestIssuer? self = null;
        app.MapGet("/realms/atlas/.well-known/openid-configuration", () => Results.Text(self!.Discovery(), "application/json"));
        app.MapGet("/realms/atlas/protocol/openid-connect/certs", () =>
        {
            Interlocked.Increment(ref self!._jwksReads);
            return Results.Text(self.Jwks(), "application/json");
        });
        await app.StartAsync();
        self = new TestIssuer(app, app.Urls.First() + "/realms/atlas", [TestSigningKey.NewRsa(), TestSigningKey.NewEc()]);
        return self;
    }

    /// <summary>Replaces every key with new ones: tokens signed before no longer verify once a validator reads the JWKS again.</summary>
    public void RotateKeys()
    {
        lock (_gate)
        {
            _keys = [TestSigningKey.NewRsa(), TestSigningKey.NewEc()];
        }
    }

    /// <summary>A valid access token for <paramref name="subject"/>, shaped like Keycloak's (<c>realm_access.roles</c>).</summary>
    public string Mint(string subject, string? username = null, IEnumerable<string>? roles = null, TestSigningKey? key = null,
        Action<SecurityTokenDescriptor>? change = null)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["realm_access"] = new Dictionary<string, object> { ["roles"] = (roles ?? ["atlas-user"]).ToArray() },
        };
        if (username is not null)
        {
            claims["preferred_username"] = username;
        }
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Authority,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = claims,
            SigningCredentials = (key ?? RsaKey).Credentials,
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary><paramref name="token"/> with its payload replaced (the signature kept): what a tampered token looks like.</summary>
    public static string WithPayload(string token, Action<JsonObject> change)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        change(payload);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload.ToJsonString())}.{parts[2]}";
    }

    /// <summary>An unsigned token (<c>alg: none</c>) with the claims of a valid one.</summary>
    public string Unsigned(string subject)
    {
        var payload = Mint(subject).Split('.')[1];
        return $"{Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""")}.{payload}.";
    }

    /// <summary>
    /// A token signed with HS256 keyed with the issuer's public RSA key (which anyone can read from the
    /// JWKS), naming that key's id: accepted by a validator that lets the token pick the algorithm.
    /// </summary>
    public string SignedWithPublicKeyAsSecret(string subject)
    {
        var rsa = RsaKey;
        var secret = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(rsa.PublicPem)) { KeyId = rsa.Id };
        return Mint(subject, key: new TestSigningKey(rsa.Id, new SigningCredentials(secret, SecurityAlgorithms.HmacSha256), rsa.Jwk, rsa.PublicPem));
    }

    private string Discovery() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["issuer"] = Authority,
        ["jwks_uri"] = Authority + "/protocol/openid-connect/certs",
        ["authorization_endpoint"] = Authority + "/protocol/openid-connect/auth",
        ["token_endpoint"] = Authority + "/protocol/openid-connect/token",
        ["device_authorization_endpoint"] = Authority + "/protocol/openid-connect/auth/device",
        ["id_token_signing_alg_values_supported"] = new[] { "RS256", "ES256" },
    });

    private string Jwks()
    {
        lock (_gate)
        {
            return new JsonObject { ["keys"] = new JsonArray([.. _keys.Select(k => JsonNode.Parse(k.Jwk))]) }.ToJsonString();
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
