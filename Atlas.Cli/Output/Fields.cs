using Spectre.Console;

namespace Atlas.Cli.Output;

/// <summary>
/// "name: value" lines, as plain text (never markup), the values from the 12th column like those of
/// <c>atlas status</c>; a long value wraps within its column on a terminal.
/// </summary>
public static class Fields
{
    private const int NameWidth = 10;

    public static Grid Create() => new Grid()
        .AddColumn(new GridColumn().Width(NameWidth).NoWrap().PadLeft(0).PadRight(1))
        .AddColumn(new GridColumn().PadLeft(0).PadRight(0));

    public static Grid Field(this Grid grid, string name, string value) => grid.AddRow(new Text($"{name}:"), new Text(value));
}
