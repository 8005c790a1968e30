using System.Text;
using System.Text.RegularExpressions;

namespace Atlas.Cli.Packing;

/// <summary>
/// The patterns of an <c>.atlasignore</c> file, in gitignore syntax: <c>#</c> comments, <c>!</c>
/// negation, a leading <c>/</c> (or any inner <c>/</c>) anchors to the project root, a trailing
/// <c>/</c> matches folders only, <c>*</c> <c>?</c> <c>[a-z]</c> within a name, <c>**</c> across
/// folders. The last pattern that matches decides.
/// </summary>
public sealed class IgnoreRules
{
    private readonly List<Rule> _rules = [];

    private sealed record Rule(Regex Pattern, bool Negated, bool DirectoryOnly);

    public static IgnoreRules Parse(string text)
    {
        var rules = new IgnoreRules();
        foreach (var raw in text.Split('\n'))
        {
            rules.Add(raw.TrimEnd('\r'));
        }
        return rules;
    }

    public static IgnoreRules Load(string projectDir)
    {
        var path = Path.Combine(projectDir, ".atlasignore");
        return File.Exists(path) ? Parse(File.ReadAllText(path)) : new IgnoreRules();
    }

    /// <summary>True when <paramref name="relativePath"/> ('/'-separated, from the project root) is ignored.</summary>
    public bool IsIgnored(string relativePath, bool isDirectory)
    {
        var ignored = false;
        foreach (var rule in _rules)
        {
            if ((!rule.DirectoryOnly || isDirectory) && rule.Pattern.IsMatch(relativePath))
            {
                ignored = !rule.Negated;
            }
        }
        return ignored;
    }

    private void Add(string line)
    {
        line = TrimTrailingSpaces(line);
        if (line.Length == 0 || line.StartsWith('#'))
        {
            return;
        }
        var negated = false;
        if (line.StartsWith('!'))
        {
            negated = true;
            line = line[1..];
        }
        else if (line.StartsWith("\\!", StringComparison.Ordinal) || line.StartsWith("\\#", StringComparison.Ordinal))
        {
            line = line[1..];
        }
        var directoryOnly = line.EndsWith('/');
        line = line.TrimEnd('/');
        if (line.Length == 0)
        {
            return;
        }
        // A slash at the start or in the middle anchors the pattern to the root; otherwise it
        // matches a name at any depth.
        var anchored = line.Contains('/', StringComparison.Ordinal);
        line = line.TrimStart('/');
        var body = Translate(line);
        var regex = anchored ? $"^{body}$" : $"^(?:.*/)?{body}$";
        _rules.Add(new Rule(new Regex(regex, RegexOptions.CultureInvariant), negated, directoryOnly));
    }

    private static string TrimTrailingSpaces(string line)
    {
        var end = line.Length;
        while (end > 0 && line[end - 1] == ' ' && !(end > 1 && line[end - 2] == '\\'))
        {
            end--;
        }
        return line[..end];
    }

    private static string Translate(string glob)
    {
        var regex = new StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                var atStart = i == 0;
                var slashAfter = i + 2 < glob.Length && glob[i + 2] == '/';
                var atEnd = i + 2 == glob.Length;
                if (atStart && slashAfter)
                {
                    regex.Append("(?:.*/)?"); // "**/x": x in any folder
                    i += 2;
                }
                else if (atEnd && i > 0 && glob[i - 1] == '/')
                {
                    regex.Append(".*"); // "x/**": everything inside x
                    i += 1;
                }
                else if (slashAfter && i > 0 && glob[i - 1] == '/')
                {
                    regex.Append("(?:.*/)?"); // "a/**/b": zero or more folders between
                    i += 2;
                }
                else
                {
                    regex.Append("[^/]*"); // "**" elsewhere acts like "*"
                    i += 1;
                }
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else if (c == '[' && glob.IndexOf(']', i + 1) is var close && close > i + 1)
            {
                var set = glob[(i + 1)..close];
                regex.Append('[');
                if (set[0] is '!' or '^')
                {
                    regex.Append('^');
                    set = set[1..];
                }
                regex.Append(set.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("[", "\\[", StringComparison.Ordinal));
                regex.Append(']');
                i = close;
            }
            else if (c == '\\' && i + 1 < glob.Length)
            {
                regex.Append(Regex.Escape(glob[++i].ToString()));
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }
        return regex.ToString();
    }
}
