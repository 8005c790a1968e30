namespace Atlas.AppHost.Options;

/// <summary>Placeholder ports for the model in publish mode, where endpoints come from the hosting platform: fixed, so manifests repeat byte for byte.</summary>
internal static class PublishPorts
{
    private static int _next = 8000;

    public static int Next() => Interlocked.Increment(ref _next);
}
