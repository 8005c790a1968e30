using Atlas.Core.Tracking;
using Microsoft.Extensions.Options;

namespace Atlas.Worker.Options;

/// <summary>Refuses, at start, caps that would let one job's reports grow without bound or never be written.</summary>
internal sealed class TrackingLimitsValidator : IValidateOptions<TrackingLimits>
{
    public ValidateOptionsResult Validate(string? name, TrackingLimits o)
    {
        var errors = new List<string>();
        Check(errors, o.MaxPointsPerSeries, 8, nameof(o.MaxPointsPerSeries));
        Check(errors, o.MaxSeries, 1, nameof(o.MaxSeries));
        Check(errors, o.MaxLabels, 1, nameof(o.MaxLabels));
        Check(errors, o.MaxDurablePoints, 0, nameof(o.MaxDurablePoints));
        Check(errors, o.LiveLength, 1, nameof(o.LiveLength));
        Check(errors, o.LiveSecondsAfterEnd, 1, nameof(o.LiveSecondsAfterEnd));
        Check(errors, o.MaxLivePerFlush, 1, nameof(o.MaxLivePerFlush));
        Check(errors, o.MaxBytesPerTick, 64 * 1024, nameof(o.MaxBytesPerTick));
        Check(errors, o.FlushMilliseconds, 10, nameof(o.FlushMilliseconds));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(List<string> errors, int value, int least, string field)
    {
        if (value < least)
        {
            errors.Add($"{TrackingLimits.Section}:{field} is {value}; it must be at least {least}.");
        }
    }
}
