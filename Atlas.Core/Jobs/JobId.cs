using System.Security.Cryptography;

namespace Atlas.Core.Jobs;

/// <summary>
/// Job ids: 10 characters of millisecond time then 6 random ones, in Crockford base32 lower
/// case, so ids sort by submit time as strings (and Redis sorts equal scores by member).
/// </summary>
public static class JobId
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
    private const int TimeChars = 10;
    private const int RandomChars = 6;

    /// <summary>The length of every job id.</summary>
    public const int Length = TimeChars + RandomChars;

    /// <summary>A new id for a job submitted at <paramref name="now"/>.</summary>
    public static string New(DateTimeOffset now)
    {
        Span<char> id = stackalloc char[Length];
        var ms = (ulong)now.ToUnixTimeMilliseconds();
        for (var i = TimeChars - 1; i >= 0; i--)
        {
            id[i] = Alphabet[(int)(ms & 31)];
            ms >>= 5;
        }
        for (var i = TimeChars; i < Length; i++)
        {
            id[i] = Alphabet[RandomNumberGenerator.GetInt32(32)];
        }
        return new string(id);
    }

    /// <summary>
    /// The id of the job a schedule submits for its tick at <paramref name="tick"/>: the tick's
    /// time, then 6 characters of a hash of the schedule and the tick. The same tick always gets
    /// the same id, so a submit repeated after a crash (or by a new leader) cannot make a second job.
    /// </summary>
    public static string ForTick(string scheduleId, DateTimeOffset tick)
    {
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{scheduleId}\n{tick.ToUnixTimeMilliseconds()}"));
        Span<char> id = stackalloc char[Length];
        New(tick).AsSpan(0, TimeChars).CopyTo(id);
        for (var i = TimeChars; i < Length; i++)
        {
            id[i] = Alphabet[hash[i] & 31];
        }
        return new string(id);
    }

    /// <summary>True when <paramref name="value"/> has the shape of a job id (safe as a path segment and a Redis key).</summary>
    public static bool IsValid(string? value) =>
        value is { Length: Length } && value.All(c => Alphabet.Contains(c, StringComparison.Ordinal));
}
