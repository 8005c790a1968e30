namespace Atlas.Core.Bundles;

/// <summary>What a checked bundle holds.</summary>
public sealed record BundleSummary(int Files, int Directories, long UnpackedBytes);
