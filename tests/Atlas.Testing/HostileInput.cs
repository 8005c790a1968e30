using Xunit;

namespace Atlas.Testing;

/// <summary>
/// Hostile values for the bad-input tests of every service, drawn from a seed that is printed
/// first, so a failure is replayed by setting <c>ATLAS_FUZZ_SEED</c>.
/// </summary>
public static class HostileInput
{
    /// <summary>The seed of this run (<c>ATLAS_FUZZ_SEED</c>, or a new one), written to <paramref name="output"/>.</summary>
    public static int Seed(ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ATLAS_FUZZ_SEED"), out var s) ? s : Environment.TickCount;
        output.WriteLine($"fuzz seed {seed} (replay: ATLAS_FUZZ_SEED={seed})");
        return seed;
    }

    /// <summary>
    /// Job ids as they would sit in a URL path: path characters, encoded traversals, NUL, bytes that
    /// are not UTF-8, oversized ones, then <paramref name="randomCount"/> random ones (escaped).
    /// </summary>
    public static IReadOnlyList<string> PathIds(Random random, int randomCount)
    {
        ArgumentNullException.ThrowIfNull(random);
        string[] fixedIds =
        [
            "..", "%2e%2e%2f%2e%2e%2fetc", "..%2f..%2fetc%2fpasswd", "a%2fb", "a%5cb", "%2f", "~root", "a%00b",
            new string('x', 5000), "0000000000zzzzzz", "%ff%fe", "*", "1 OR 1=1", "{id}",
        ];
        return [.. fixedIds.Select(id => id.Contains('%', StringComparison.Ordinal) ? id : Uri.EscapeDataString(id)).Concat(Enumerable.Range(0, randomCount).Select(_ => Uri.EscapeDataString(Text(random, random.Next(1, 80)))))];
    }

    /// <summary>Query strings with wrong types, NULs, repeats and oversized values.</summary>
    public static IReadOnlyList<string> Queries { get; } =
    [
        "limit=-1", "limit=99999999999", "limit=abc", "state=%00", "state=" + new string('s', 10000), "project=" + new string('p', 20000),
        "limit=1&limit=2", "follow=maybe", "follow=" + new string('t', 30000), "state=running&x=" + new string('q', 30000),
    ];

    /// <summary>Random text from the first few Unicode blocks, control characters included.</summary>
    public static string Text(Random random, int length)
    {
        ArgumentNullException.ThrowIfNull(random);
        return new([.. Enumerable.Range(0, length).Select(_ => (char)random.Next(1, 0x2FF))]);
    }
}
