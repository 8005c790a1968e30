namespace Atlas.Core.Bundles;

/// <summary>A bundle was refused; nothing was written. The message names the entry and the reason.</summary>
public sealed class BundleRejectedException : Exception
{
    public BundleRejectedException(string? entry, string reason, bool tooLarge = false)
        : base(entry is null ? reason : $"entry '{entry}': {reason}")
    {
        Entry = entry;
        TooLarge = tooLarge;
    }

    public BundleRejectedException() { }

    public BundleRejectedException(string message) : base(message) { }

    public BundleRejectedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The offending entry's name, made printable; null when the archive as a whole is at fault.</summary>
    public string? Entry { get; }

    /// <summary>The bundle is over a size limit (the API answers 413), rather than malformed (400).</summary>
    public bool TooLarge { get; }
}
