namespace Atlas.Core.Docker;

/// <summary>What Atlas reads from a container's inspection.</summary>
/// <param name="Id">The full container id.</param>
/// <param name="Name">Its name, without the engine's leading slash.</param>
/// <param name="Status"><c>created</c>, <c>running</c>, <c>exited</c>, … as the engine says.</param>
/// <param name="Running">Whether it runs now.</param>
/// <param name="ExitCode">Its last exit code (0 while it has never exited).</param>
/// <param name="OomKilled">Whether the kernel killed it for exceeding its memory limit.</param>
/// <param name="Labels">Its labels; empty when it has none.</param>
public sealed record ContainerDetails(
    string Id,
    string Name,
    string Status,
    bool Running,
    long ExitCode,
    bool OomKilled,
    IReadOnlyDictionary<string, string> Labels);
