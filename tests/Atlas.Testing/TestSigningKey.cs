using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Atlas.Testing;

/// <summary>One signing key: its id, what signs with it, and its public half as a JWK and (RSA) PEM.</summary>
public sealed record TestSigningKey(string Id, SigningCredentials Credentials, string Jwk, string PublicPem)
{
    /// <summary>A new RSA key, 2048 bits, signing RS256.</summary>
    public static TestSigningKey NewRsa(string algorithm = SecurityAlgorithms.RsaSha256)
    {
        var rsa = RSA.Create(2048);
        var id = "rsa-" + Guid.NewGuid().ToString("n")[..12];
        var p = rsa.ExportParameters(false);
        var jwk = new JsonObject
        {
            ["kty"] = "RSA", ["use"] = "sig", ["kid"] = id, ["alg"] = algorithm,
            ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent),
        };
        return new TestSigningKey(id, new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = id }, algorithm), jwk.ToJsonString(), rsa.ExportSubjectPublicKeyInfoPem());
    }

    /// <summary>A new P-256 key, signing ES256.</summary>
    public static TestSigningKey NewEc()
    {
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var id = "ec-" + Guid.NewGuid().ToString("n")[..12];
        var p = ec.ExportParameters(false);
        var jwk = new JsonObject
        {
            ["kty"] = "EC", ["use"] = "sig", ["kid"] = id, ["alg"] = "ES256", ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(p.Q.X), ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
        };
        return new TestSigningKey(id, new SigningCredentials(new ECDsaSecurityKey(ec) { KeyId = id }, SecurityAlgorithms.EcdsaSha256), jwk.ToJsonString(), ec.ExportSubjectPublicKeyInfoPem());
    }
}
