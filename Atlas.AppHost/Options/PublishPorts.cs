namespace Atlas.AppHost.Options;

/// <summary>
/// The ports of masters and workers in publish mode (8001, 8002, … in model order): fixed, so a host
/// can run several services and manifests repeat byte for byte.
/// </summary>
internal static class PublishPorts
{
    /// <summary>A fresh sequence for one model.</summary>
    public static Func<int> Sequence()
    {
        var next = 8000;
        return () => ++next;
    }
}
