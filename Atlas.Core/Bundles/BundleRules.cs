using System.Formats.Tar;
using System.Text;

namespace Atlas.Core.Bundles;

/// <summary>
/// The checks one bundle's entries must pass, in archive order: safe names, links that stay
/// inside, no special files, and the limits. It remembers what came before, since a later entry
/// can be unsafe because of an earlier one (a path through a symlink, a hard link to nothing).
/// </summary>
internal sealed class BundleRules(BundleLimits limits)
{
    private readonly Dictionary<string, EntryKind> _seen = new(StringComparer.Ordinal);
    private int _entries;
    private int _files;
    private int _directories;
    private long _bytes;

    public BundleSummary Summary => new(_files, _directories, _bytes);

    /// <summary>The checked entry, or null for entries that carry no file (global PAX attributes).</summary>
    public CheckedEntry? Check(TarEntry entry)
    {
        if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
        {
            return null;
        }
        var display = Printable(entry.Name);
        CountEntry(display);
        var executable = (entry.Mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        return Check(entry.Name, KindOf(entry, display), entry.Length, entry.LinkName, executable, display);
    }

    /// <summary>
    /// Checks one entry of a manifest (content-addressed upload) with the same rules as a tar
    /// entry; a manifest also may not name a path twice, nor hold hard links.
    /// </summary>
    public CheckedEntry? Check(string name, EntryKind kind, long length, string? linkName, bool executable)
    {
        var display = Printable(name);
        CountEntry(display);
        if (kind == EntryKind.HardLink)
        {
            throw new BundleRejectedException(display, "a manifest cannot hold hard links");
        }
        if (length < 0)
        {
            throw new BundleRejectedException(display, "the size is negative");
        }
        if (_seen.ContainsKey(SafePath(name, display)))
        {
            throw new BundleRejectedException(display, "the path appears twice");
        }
        return Check(name, kind, length, linkName, executable, display);
    }

    private void CountEntry(string display)
    {
        if (++_entries > limits.MaxEntries)
        {
            throw new BundleRejectedException(display, $"the bundle has more than {limits.MaxEntries} entries", tooLarge: true);
        }
    }

    private CheckedEntry? Check(string name, EntryKind kind, long length, string? linkName, bool executable, string display)
    {
        if (kind == EntryKind.Directory && name.Split('/').All(s => s is "" or "."))
        {
            return null; // "./": the bundle's root itself, as GNU tar writes it
        }
        var path = SafePath(name, display);
        CheckParents(path, display);
        if (_seen.TryGetValue(path, out var earlier) && (earlier != kind || kind is EntryKind.Symlink or EntryKind.HardLink))
        {
            throw new BundleRejectedException(display, $"the path appears twice, as a {Describe(earlier)} and as a {Describe(kind)}");
        }

        string? target = null;
        switch (kind)
        {
            case EntryKind.File:
                _bytes += length;
                if (_bytes > limits.MaxUnpackedBytes)
                {
                    throw new BundleRejectedException(display, $"the files add up to more than the limit of {limits.MaxUnpackedBytes} bytes", tooLarge: true);
                }
                _files++;
                break;
            case EntryKind.Directory:
                _directories++;
                break;
            case EntryKind.Symlink:
                target = CheckSymlink(path, linkName ?? "", display);
                break;
            case EntryKind.HardLink:
                target = CheckHardLink(linkName ?? "", display);
                _files++;
                break;
        }

        _seen[path] = kind;
        return new CheckedEntry(path, kind, target, executable);
    }

    private static EntryKind KindOf(TarEntry entry, string display) => entry.EntryType switch
    {
        TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => EntryKind.File,
        TarEntryType.Directory => EntryKind.Directory,
        TarEntryType.SymbolicLink => EntryKind.Symlink,
        TarEntryType.HardLink => EntryKind.HardLink,
        TarEntryType.CharacterDevice or TarEntryType.BlockDevice => throw new BundleRejectedException(display, "device files are not allowed"),
        TarEntryType.Fifo => throw new BundleRejectedException(display, "FIFOs are not allowed"),
        _ => throw new BundleRejectedException(display, $"entries of type {entry.EntryType} are not allowed"),
    };

    /// <summary>The entry's name as a relative path without '.', '..' or empty segments.</summary>
    private string SafePath(string name, string display)
    {
        CheckCharacters(name, display);
        if (name.StartsWith('/') || (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0])))
        {
            throw new BundleRejectedException(display, "absolute paths are not allowed");
        }
        if (name.Length > limits.MaxPathLength)
        {
            throw new BundleRejectedException(display, $"the name is longer than {limits.MaxPathLength} characters");
        }
        var segments = name.Split('/').Where(s => s.Length > 0 && s != ".").ToList();
        if (segments.Contains(".."))
        {
            throw new BundleRejectedException(display, "'..' would leave the bundle");
        }
        if (segments.Count == 0)
        {
            throw new BundleRejectedException(display, "the name is empty");
        }
        if (segments.Count > limits.MaxDepth)
        {
            throw new BundleRejectedException(display, $"the path is deeper than {limits.MaxDepth} folders");
        }
        return string.Join('/', segments);
    }

    // Writing "a/b" needs "a" to be a folder: not a file, and not a link, which could lead anywhere.
    private void CheckParents(string path, string display)
    {
        for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = path.IndexOf('/', slash + 1))
        {
            var parent = path[..slash];
            if (_seen.TryGetValue(parent, out var kind) && kind != EntryKind.Directory)
            {
                throw new BundleRejectedException(display, kind == EntryKind.Symlink
                    ? $"it goes through the symbolic link '{Printable(parent)}'"
                    : $"its parent '{Printable(parent)}' is a file");
            }
        }
    }

    private static string CheckSymlink(string path, string target, string display)
    {
        if (string.IsNullOrEmpty(target))
        {
            throw new BundleRejectedException(display, "the symbolic link has no target");
        }
        CheckCharacters(target, display);
        if (target.StartsWith('/'))
        {
            throw new BundleRejectedException(display, "the symbolic link points to an absolute path");
        }
        // Resolve lexically from the link's folder; climbing above the root leaves the bundle.
        var resolved = new List<string>(path.Split('/')[..^1]);
        foreach (var segment in target.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }
            if (segment == "..")
            {
                if (resolved.Count == 0)
                {
                    throw new BundleRejectedException(display, "the symbolic link points outside the bundle");
                }
                resolved.RemoveAt(resolved.Count - 1);
            }
            else
            {
                resolved.Add(segment);
            }
        }
        return target;
    }

    private string CheckHardLink(string target, string display)
    {
        if (string.IsNullOrEmpty(target))
        {
            throw new BundleRejectedException(display, "the hard link has no target");
        }
        CheckCharacters(target, display);
        var segments = target.Split('/').Where(s => s.Length > 0 && s != ".").ToList();
        if (target.StartsWith('/') || segments.Contains(".."))
        {
            throw new BundleRejectedException(display, "the hard link points outside the bundle");
        }
        var path = string.Join('/', segments);
        if (!_seen.TryGetValue(path, out var kind) || kind != EntryKind.File)
        {
            throw new BundleRejectedException(display, "a hard link must point to a regular file earlier in the bundle");
        }
        return path;
    }

    // Names that are not valid UTF-8 reach us with U+FFFD in them (the tar reader decodes UTF-8
    // leniently): refused, as are control characters, which no project file needs.
    private static void CheckCharacters(string name, string display)
    {
        foreach (var c in name)
        {
            if (c == '\0')
            {
                throw new BundleRejectedException(display, "the name contains a NUL character");
            }
            if (c == '\uFFFD')
            {
                throw new BundleRejectedException(display, "the name is not valid UTF-8");
            }
            if (char.IsControl(c) || c == '\\')
            {
                throw new BundleRejectedException(display, "the name contains a control character or a backslash");
            }
        }
    }

    private static string Describe(EntryKind kind) => kind switch
    {
        EntryKind.File => "file",
        EntryKind.Directory => "folder",
        EntryKind.Symlink => "symbolic link",
        _ => "hard link",
    };

    /// <summary>The name as it can be shown: control and replacement characters escaped, long names cut.</summary>
    public static string Printable(string name)
    {
        var text = new StringBuilder();
        foreach (var c in name.Length > 200 ? name[..200] : name)
        {
            text.Append(char.IsControl(c) || c == '\uFFFD' ? $"\\u{(int)c:x4}" : c);
        }
        return name.Length > 200 ? text.Append('…').ToString() : text.ToString();
    }
}
