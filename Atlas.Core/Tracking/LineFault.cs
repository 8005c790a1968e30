namespace Atlas.Core.Tracking;

/// <summary>Why a line of a job's report was not taken.</summary>
public enum LineFault
{
    None,

    /// <summary>Not a JSON object of a known shape: skipped and counted as a skipped line.</summary>
    Garbage,

    /// <summary>A metric value that is not a finite number (NaN, Infinity, out of range): counted as a rejected value.</summary>
    NonFinite,

    /// <summary>An artifact path that leaves the output folder: counted as a rejected value.</summary>
    OutsideOutputDir,
}
