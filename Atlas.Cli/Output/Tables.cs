using Spectre.Console;
using Spectre.Console.Rendering;

namespace Atlas.Cli.Output;

/// <summary>
/// The CLI's tables: upper-case headers, cells as plain text (never markup). On a terminal, bold
/// headers and light column rules; elsewhere columns two spaces apart under one header line, as
/// <c>awk</c> and <c>cut</c> readers expect. The first column (the key, often an id to copy) never wraps.
/// </summary>
public static class Tables
{
    public static Table Create(CliContext context, params string[] headers)
    {
        var framed = context.OutIsTerminal;
        var table = new Table().Border(framed ? TableBorder.Minimal : TableBorder.None);
        for (var i = 0; i < headers.Length; i++)
        {
            var column = new TableColumn(new Text(headers[i].ToUpperInvariant(), new Style(decoration: Decoration.Bold)));
            if (i == 0)
            {
                column.NoWrap();
            }
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
