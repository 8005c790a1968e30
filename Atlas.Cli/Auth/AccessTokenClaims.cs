using System.Text;
using System.Text.Json;

namespace Atlas.Cli.Auth;

/// <summary>
/// What the CLI reads from its own access token to show it (user, roles, expiry). It does not
/// verify the signature: the services do that; this is the holder reading its own token.
/// </summary>
public sealed record AccessTokenClaims(string? Subject, string? Username, IReadOnlyList<string> Roles, DateTimeOffset? ExpiresAt)
{
    /// <summary>The claims of a JWT access token, or empty ones when it is not a JWT (an opaque token).</summary>
    public static AccessTokenClaims Read(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return new AccessTokenClaims(null, null, [], null);
        }
        try
        {
            using var payload = JsonDocument.Parse(Base64UrlDecode(parts[1]));
            var root = payload.RootElement;
            var roles = root.TryGetProperty("realm_access", out var realm) && realm.ValueKind == JsonValueKind.Object
                && realm.TryGetProperty("roles", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!).ToList()
                : [];
            DateTimeOffset? expires = root.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
            return new AccessTokenClaims(String(root, "sub"), String(root, "preferred_username"), roles, expires);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return new AccessTokenClaims(null, null, [], null);
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[] Base64UrlDecode(string text)
    {
        var base64 = new StringBuilder(text.Replace('-', '+').Replace('_', '/'));
        while (base64.Length % 4 != 0)
        {
            base64.Append('=');
        }
        return Convert.FromBase64String(base64.ToString());
    }
}
