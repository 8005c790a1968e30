using Spectre.Console;
using Spectre.Console.Rendering;

namespace Atlas.Cli.Output;

/// <summary>
/// Spectre consoles over the CLI's streams. On a terminal they draw borders, colour and live
/// progress; anywhere else (a pipe, a file, a test's writer) they print plain text: no ANSI codes,
/// no trailing blanks, laid out for <see cref="PlainWidth"/> columns so rows stay on one line for scripts.
/// </summary>
public static class CliConsole
{
    /// <summary>The width tables are laid out for when the stream is not a terminal (<c>COLUMNS</c> overrides it).</summary>
    public const int PlainWidth = 200;

    /// <summary>Writes a table or fields to stdout.</summary>
    public static void Write(CliContext context, IRenderable renderable)
    {
        if (context.OutIsTerminal)
        {
            Create(context.Out, isTerminal: true, context.Environment).Write(renderable);
            return;
        }
        // Spectre pads every cell to its column's width; a script reading the lines wants them trimmed.
        var text = new StringWriter();
        Create(text, isTerminal: false, context.Environment).Write(renderable);
        foreach (var line in text.ToString().Split('\n'))
        {
            if (line.Length > 0)
            {
                context.Out.WriteLine(line.TrimEnd());
            }
        }
    }

    /// <summary>The console for stderr, where progress is drawn.</summary>
    public static IAnsiConsole Error(CliContext context) => Create(context.Error, context.ErrorIsTerminal, context.Environment);

    private static IAnsiConsole Create(TextWriter writer, bool isTerminal, Func<string, string?> environment)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!isTerminal)
        {
            console.Profile.Width = int.TryParse(environment("COLUMNS"), out var columns) && columns > 0 ? columns : PlainWidth;
        }
        return console;
    }
}
