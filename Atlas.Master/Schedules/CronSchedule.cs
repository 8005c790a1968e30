using Cronos;

namespace Atlas.Master.Schedules;

/// <summary>
/// A schedule's cron expression read in its time zone (Cronos): five fields (minute, hour, day
/// of month, month, day of week), or six with seconds first.
/// </summary>
public sealed class CronSchedule
{
    /// <summary>The zone a schedule is read in when none is given.</summary>
    public const string DefaultTimeZone = "UTC";

    private const int MaxExpressionLength = 256;

    private readonly CronExpression _expression;
    private readonly TimeZoneInfo _zone;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone)
    {
        _expression = expression;
        _zone = zone;
    }

    /// <summary>
    /// Reads <paramref name="cron"/> in <paramref name="timeZone"/>; on failure, the field at fault
    /// (<c>cron</c> or <c>timezone</c>) and why, in words.
    /// </summary>
    public static bool TryParse(string? cron, string? timeZone, out CronSchedule? schedule, out (string Field, string Message) error)
    {
        schedule = null;
        error = default;
        if (string.IsNullOrWhiteSpace(cron))
        {
            error = ("cron", "Give a cron expression, e.g. \"0 3 * * *\" (every day at 03:00).");
            return false;
        }
        if (cron.Length > MaxExpressionLength)
        {
            error = ("cron", $"At most {MaxExpressionLength} characters.");
            return false;
        }
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            error = ("cron", $"'{cron}' has {fields} fields: give 5 (minute hour day-of-month month day-of-week) or 6 (seconds first).");
            return false;
        }
        CronExpression expression;
        try
        {
            expression = CronExpression.Parse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            error = ("cron", $"'{cron}' is not a cron expression: {ex.Message}");
            return false;
        }
        var zoneId = string.IsNullOrWhiteSpace(timeZone) ? DefaultTimeZone : timeZone;
        if (zoneId.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone))
        {
            error = ("timezone", $"Unknown time zone '{(zoneId.Length > 64 ? zoneId[..64] + "…" : zoneId)}': use an IANA id such as UTC or Europe/Berlin.");
            return false;
        }
        schedule = new CronSchedule(expression, zone);
        return true;
    }

    /// <summary>The first run strictly after <paramref name="time"/>, or null when the expression never fires again (30 February).</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset time) => _expression.GetNextOccurrence(time.ToUniversalTime(), _zone)?.ToUniversalTime();
}
