using Spectre.Console;
using Spectre.Console.Rendering;

namespace Atlas.Cli.Output;

/// <summary>The CLI's tables: upper-case headers, cells as plain text (never markup), framed only on a terminal.</summary>
public static class Tables
{
    public static Table Create(IAnsiConsole console, params string[] headers)
    {
        // Plain: columns two spaces apart under one header line, as `awk` and `cut` readers expect.
        var framed = console.Profile.Capabilities.Ansi;
        var table = new Table().Border(framed ? TableBorder.Rounded : TableBorder.None);
        foreach (var header in headers)
        {
            var column = new TableColumn(new Text(header.ToUpperInvariant(), new Style(decoration: Decoration.Bold)));
            table.AddColumn(framed ? column : column.PadLeft(0).PadRight(2));
        }
        return table;
    }

    /// <summary>Adds a row of plain-text cells: brackets in a job's name or reason are printed as they are.</summary>
    public static Table Row(this Table table, params string[] cells)
    {
        table.AddRow(cells.Select(c => (IRenderable)new Text(c)));
        return table;
    }
}
