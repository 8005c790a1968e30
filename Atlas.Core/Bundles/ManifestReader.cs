namespace Atlas.Core.Bundles;

/// <summary>
/// Checks a <see cref="BundleManifest"/> with the tarball's rules (<see cref="BundleRules"/>:
/// safe relative names, links that stay inside, the entry, size and depth limits), and more that
/// only a manifest needs: every path once, no hard links, every file naming a well-formed
/// SHA-256, and no path below a file or a link whichever order they come in.
/// </summary>
public static class ManifestReader
{
    /// <summary>Checks every entry; throws <see cref="BundleRejectedException"/> naming the first bad one.</summary>
    public static CheckedManifest Check(BundleManifest? manifest, BundleLimits limits)
    {
        if (manifest?.Entries is not { } entries)
        {
            throw new BundleRejectedException(null, "the manifest has no 'entries'");
        }
        var rules = new BundleRules(limits);
        var files = new List<CheckedManifest.Item>();
        var others = new List<CheckedEntry>();
        var leaves = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry?.Path is null)
            {
                throw new BundleRejectedException(null, "an entry has no 'path'");
            }
            var display = BundleRules.Printable(entry.Path);
            var kind = entry.Type switch
            {
                ManifestEntryType.File => EntryKind.File,
                ManifestEntryType.Directory => EntryKind.Directory,
                ManifestEntryType.Symlink => EntryKind.Symlink,
                _ => throw new BundleRejectedException(display, $"unknown type {entry.Type}"),
            };
            if (kind == EntryKind.File && !IsSha256(entry.Sha256))
            {
                throw new BundleRejectedException(display, "'sha256' must be 64 lower-case hex digits");
            }
            var executable = (entry.Mode & 0b001_001_001) != 0;
            if (rules.Check(entry.Path, kind, kind == EntryKind.File ? entry.Size : 0, entry.Target, executable) is not { } checkedEntry)
            {
                continue;
            }
            if (kind == EntryKind.File)
            {
                files.Add(new CheckedManifest.Item(checkedEntry, entry.Sha256!, entry.Size));
            }
            else
            {
                others.Add(checkedEntry);
            }
            if (kind != EntryKind.Directory)
            {
                leaves.Add(checkedEntry.Path);
            }
        }

        // BundleRules sees a file or link only before the paths under it; a manifest has no
        // order, so a later "a" must not be the parent of an earlier "a/b" either.
        foreach (var path in files.Select(f => f.Entry.Path).Concat(others.Select(o => o.Path)))
        {
            for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = path.IndexOf('/', slash + 1))
            {
                if (leaves.Contains(path[..slash]))
                {
                    throw new BundleRejectedException(BundleRules.Printable(path), $"its parent '{BundleRules.Printable(path[..slash])}' is a file or a link");
                }
            }
        }
        return new CheckedManifest(rules.Summary, files, others);
    }

    /// <summary>Whether <paramref name="value"/> is a SHA-256 as the blob API names it: 64 lower-case hex digits.</summary>
    public static bool IsSha256(string? value) =>
        value is { Length: 64 } && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
