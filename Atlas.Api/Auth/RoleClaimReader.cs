using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Atlas.Api.Auth;

/// <summary>
/// Reads the roles from wherever the provider puts them, named by a dotted path into the token's
/// payload (Keycloak: <c>realm_access.roles</c>; others use a top-level <c>roles</c> or <c>groups</c>).
/// A claim whose own name contains dots (<c>https://example.com/roles</c>) is found by its full name first.
/// </summary>
public static class RoleClaimReader
{
    /// <summary>The roles at <paramref name="path"/> in the payload of <paramref name="token"/>: an array of strings or one string.</summary>
    public static IReadOnlyList<string> Read(JsonWebToken token, string path)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
        return Read(payload.RootElement, path);
    }

    /// <summary>The roles at <paramref name="path"/> in a JSON payload.</summary>
    public static IReadOnlyList<string> Read(JsonElement payload, string path)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return [];
        }
        if (!payload.TryGetProperty(path, out var value))
        {
            value = payload;
            foreach (var part in path.Split('.'))
            {
                if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(part, out value))
                {
                    return [];
                }
            }
        }
        return value.ValueKind switch
        {
            JsonValueKind.Array => [.. value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)],
            JsonValueKind.String => [value.GetString()!],
            _ => [],
        };
    }
}
