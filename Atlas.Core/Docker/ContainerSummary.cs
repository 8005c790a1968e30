namespace Atlas.Core.Docker;

/// <summary>One container as listed by the engine.</summary>
/// <param name="Id">The full container id.</param>
/// <param name="Labels">Its labels; empty when it has none.</param>
/// <param name="State"><c>created</c>, <c>running</c>, <c>exited</c>, … as the engine says.</param>
public sealed record ContainerSummary(string Id, IReadOnlyDictionary<string, string> Labels, string State);
