using Spectre.Console;

namespace Atlas.Cli.Output;

/// <summary>"name: value" lines with the values in one column, as plain text (never markup).</summary>
public static class Fields
{
    public static Grid Create() =>
        new Grid().AddColumn(new GridColumn().NoWrap().PadLeft(0).PadRight(2)).AddColumn(new GridColumn().PadLeft(0).PadRight(0));

    public static Grid Field(this Grid grid, string name, string value) => grid.AddRow(new Text($"{name}:"), new Text(value));
}
