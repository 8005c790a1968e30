using Atlas.Core.Bundles;

namespace Atlas.Cli.Packing;

/// <summary>A project described as a manifest, with where each blob's bytes are on this machine.</summary>
/// <param name="Manifest">What the submit sends.</param>
/// <param name="Blobs">Each distinct SHA-256 to a local file with those bytes, and its size.</param>
/// <param name="Files">How many files the manifest names.</param>
/// <param name="Bytes">What they hold in all.</param>
public sealed record ManifestPack(BundleManifest Manifest, IReadOnlyDictionary<string, (string Path, long Size)> Blobs, int Files, long Bytes);
