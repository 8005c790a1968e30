using System.Text.Json;

namespace Atlas.Testing;

/// <summary>Reads a JWT's claims without checking its signature: for tests that look at tokens, never to trust one.</summary>
public static class JwtPayload
{
    public static JsonElement Read(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        using var document = JsonDocument.Parse(Convert.FromBase64String(payload));
        return document.RootElement.Clone();
    }

    /// <summary>The token's <c>exp</c>.</summary>
    public static DateTimeOffset ExpiresAt(string jwt) => DateTimeOffset.FromUnixTimeSeconds(Read(jwt).GetProperty("exp").GetInt64());

    /// <summary>Waits until <paramref name="jwt"/> has expired by this machine's clock.</summary>
    public static async Task WaitUntilExpiredAsync(string jwt, CancellationToken cancellationToken)
    {
        var exp = ExpiresAt(jwt);
        while (DateTimeOffset.UtcNow <= exp)
        {
            await Task.Delay(100, cancellationToken);
        }
    }
}
