namespace Atlas.AppHost.Orchestration;

/// <summary>Prints the AppHost's own lines and its children's, each with the resource's name in front, colored on a terminal.</summary>
internal sealed class ConsoleWriter(TextWriter output, bool color)
{
    private static readonly string[] Colors = ["\u001b[36m", "\u001b[33m", "\u001b[32m", "\u001b[35m", "\u001b[34m", "\u001b[31m"];
    private const string Reset = "\u001b[0m";
    private readonly Dictionary<string, string> _colors = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public static ConsoleWriter ForConsole() => new(Console.Out, !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null);

    /// <summary>A line of <paramref name="source"/>'s output.</summary>
    public void Line(string source, string text)
    {
        lock (_gate)
        {
            var prefix = source.PadRight(10);
            if (color)
            {
                if (!_colors.TryGetValue(source, out var c))
                {
                    c = _colors[source] = Colors[_colors.Count % Colors.Length];
                }
                prefix = c + prefix + Reset;
            }
            output.WriteLine($"{prefix} | {text}");
        }
    }

    /// <summary>A line of the AppHost's own.</summary>
    public void Info(string text)
    {
        lock (_gate)
        {
            output.WriteLine(text);
        }
    }
}
