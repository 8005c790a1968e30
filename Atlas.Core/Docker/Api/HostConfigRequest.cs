namespace Atlas.Core.Docker.Api;

/// <summary>The <c>HostConfig</c> part of a create request.</summary>
internal sealed record HostConfigRequest(
    IReadOnlyList<string> Binds,
    string? NetworkMode,
    IReadOnlyList<string> SecurityOpt,
    IReadOnlyList<string> CapDrop,
    long? PidsLimit,
    long? Memory,
    long? MemorySwap,
    long? NanoCpus,
    bool? Init);
