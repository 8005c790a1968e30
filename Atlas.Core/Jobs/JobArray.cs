using System.Globalization;
using System.Text.RegularExpressions;

namespace Atlas.Core.Jobs;

/// <summary>The indices of an array of jobs, <see cref="Start"/> to <see cref="End"/> inclusive (<c>--array 0-99</c>).</summary>
public sealed partial record JobArray(int Start, int End)
{
    /// <summary>The largest index an array may use.</summary>
    public const int MaxIndex = 1_000_000;

    /// <summary>How many jobs the array holds.</summary>
    public long Count => End < Start ? 0 : (long)End - Start + 1;

    /// <summary>
    /// Reads <c>START-END[%N]</c> (or a single <c>N</c>, meaning 0 to N-1): the indices and the
    /// most that run at once (0 for no limit). Returns false with a reason in words otherwise.
    /// </summary>
    public static bool TryParse(string text, out JobArray array, out int maxRunning, out string error)
    {
        array = new JobArray(0, -1);
        maxRunning = 0;
        var m = Pattern().Match(text);
        if (!m.Success)
        {
            error = $"'{text}' is not START-END[%N] (for example 0-99%10)";
            return false;
        }
        if (!int.TryParse(m.Groups["a"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var a) ||
            (m.Groups["b"].Success && !int.TryParse(m.Groups["b"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out _)) ||
            (m.Groups["n"].Success && !int.TryParse(m.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out maxRunning)))
        {
            error = $"'{text}': numbers must be at most {MaxIndex}";
            return false;
        }
        var (start, end) = m.Groups["b"].Success ? (a, int.Parse(m.Groups["b"].Value, CultureInfo.InvariantCulture)) : (0, a - 1);
        if (end < start || end > MaxIndex)
        {
            error = $"'{text}': the range must not be empty, and indices at most {MaxIndex}";
            return false;
        }
        if (m.Groups["n"].Success && maxRunning < 1)
        {
            error = $"'{text}': %N must be at least 1";
            return false;
        }
        array = new JobArray(start, end);
        error = "";
        return true;
    }

    [GeneratedRegex(@"^(?<a>\d{1,9})(-(?<b>\d{1,9}))?(%(?<n>\d{1,9}))?$")]
    private static partial Regex Pattern();
}
