using System.Text;

namespace Atlas.AppHost.Tests.Keycloak;

/// <summary>
/// A stand-in for what Keycloak does to a realm file when it imports it (<c>--import-realm</c>): every
/// <c>${NAME}</c> becomes the environment variable NAME, <c>${NAME:default}</c> the variable or, when it is
/// not set, the text after the first colon; a placeholder with neither stays as it is. No Keycloak image
/// runs on the test machines, so the realm's tests substitute with this from a dictionary instead of
/// Keycloak's own replacer.
/// </summary>
internal static class KeycloakPlaceholders
{
    /// <summary>The names of the placeholders in <paramref name="text"/>, with their defaults (null: none).</summary>
    public static List<(string Name, string? Default)> Find(string text)
    {
        var found = new List<(string, string?)>();
        Walk(text, (name, fallback) =>
        {
            found.Add((name, fallback));
            return "";
        });
        return found;
    }

    /// <summary><paramref name="text"/> with its placeholders replaced from <paramref name="environment"/>.</summary>
    public static string Replace(string text, IReadOnlyDictionary<string, string> environment) =>
        Walk(text, (name, fallback) => environment.TryGetValue(name, out var value) ? value : fallback);

    private static string Walk(string text, Func<string, string?, string?> resolve)
    {
        var result = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var start = text.IndexOf("${", i, StringComparison.Ordinal);
            var end = start < 0 ? -1 : text.IndexOf('}', start + 2);
            if (end < 0)
            {
                result.Append(text, i, text.Length - i);
                break;
            }
            result.Append(text, i, start - i);
            var inner = text[(start + 2)..end];
            var colon = inner.IndexOf(':', StringComparison.Ordinal);
            var (name, fallback) = colon < 0 ? (inner, null) : (inner[..colon], inner[(colon + 1)..]);
            result.Append(resolve(name, fallback) ?? text[start..(end + 1)]);
            i = end + 1;
        }
        return result.ToString();
    }
}
