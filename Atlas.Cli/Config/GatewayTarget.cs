using System.Globalization;
using System.Text;

namespace Atlas.Cli.Config;

/// <summary>The gateway a command talks to, and the context it came from (null for <c>ATLAS_URL</c> or the local default).</summary>
public sealed record GatewayTarget(Uri Url, string? ContextName)
{
    /// <summary>The name of this target's session file: the context's name, else one made from the URL; never a path.</summary>
    public string SessionKey => ContextName is null ? "url-" + Safe(Url.Authority) : Safe(ContextName);

    /// <summary>How messages name it: <c>context 'lab'</c>, or the URL.</summary>
    public string Label => ContextName is null ? Url.ToString() : $"context '{ContextName}'";

    // A context name or URL becomes a file name: only letters, digits, '-', '_' and '.' (no "..": no way out of the folder).
    private static string Safe(string text)
    {
        var safe = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }
        return safe.ToString().Replace("..", "__", StringComparison.Ordinal).ToLower(CultureInfo.InvariantCulture);
    }
}
