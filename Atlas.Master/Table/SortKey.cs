using System.Globalization;

namespace Atlas.Master.Table;

/// <summary>
/// A cell's value as the table sorts it: missing values first, then numbers, then text (ordinal),
/// so every column has one total order and a page can resume after any row.
/// </summary>
public readonly record struct SortKey(int Kind, double Number, string? Text) : IComparable<SortKey>
{
    public static SortKey None => new(0, 0, null);

    public static SortKey Of(double? value) => value is { } v ? new SortKey(1, v, null) : None;

    public static SortKey Of(string? value) =>
        value is null ? None
        : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) ? new SortKey(1, n, null)
        : new SortKey(2, 0, value);

    public int CompareTo(SortKey other) =>
        Kind != other.Kind ? Kind.CompareTo(other.Kind)
        : Kind == 1 ? Number.CompareTo(other.Number)
        : string.CompareOrdinal(Text, other.Text);

    /// <summary>As written into a cursor.</summary>
    public override string ToString() => Kind switch
    {
        1 => "n" + Number.ToString("R", CultureInfo.InvariantCulture),
        2 => "s" + Text,
        _ => "-",
    };

    public static bool TryParse(string value, out SortKey key)
    {
        key = None;
        if (value == "-")
        {
            return true;
        }
        if (value.StartsWith('n') && double.TryParse(value.AsSpan(1), NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
        {
            key = new SortKey(1, n, null);
            return true;
        }
        if (value.StartsWith('s'))
        {
            key = new SortKey(2, 0, value[1..]);
            return true;
        }
        return false;
    }
}
