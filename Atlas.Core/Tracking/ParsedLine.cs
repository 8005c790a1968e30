namespace Atlas.Core.Tracking;

/// <summary>The outcome of reading one line: an entry, or the fault and a message fit to show on the job.</summary>
public readonly record struct ParsedLine(TrackingEntry Entry, LineFault Fault, string? Message)
{
    public bool Ok => Fault == LineFault.None;

    public static ParsedLine Of(TrackingEntry entry) => new(entry, LineFault.None, null);

    public static ParsedLine Fail(LineFault fault, string message) => new(default, fault, message);
}
