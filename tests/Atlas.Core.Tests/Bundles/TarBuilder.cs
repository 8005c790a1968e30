using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Atlas.Core.Tests.Bundles;

/// <summary>Builds .tar.gz bundles entry by entry, including the hostile ones no real packer writes.</summary>
internal sealed class TarBuilder
{
    private readonly List<TarEntry> _entries = [];

    public TarBuilder File(string name, string text = "x", UnixFileMode? mode = null) =>
        Add(new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)),
            Mode = mode ?? (UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead),
        });

    public TarBuilder Bytes(string name, byte[] data) =>
        Add(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });

    public TarBuilder Directory(string name) => Add(new PaxTarEntry(TarEntryType.Directory, name));

    public TarBuilder Symlink(string name, string target) => Add(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target });

    public TarBuilder HardLink(string name, string target) => Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target });

    public TarBuilder Entry(TarEntryType type, string name) => Add(new PaxTarEntry(type, name));

    public TarBuilder Add(TarEntry entry)
    {
        _entries.Add(entry);
        return this;
    }

    public string WriteTo(string folder, string fileName = "bundle.tar.gz")
    {
        var path = Path.Combine(folder, fileName);
        using var file = System.IO.File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.SmallestSize);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (var entry in _entries)
        {
            tar.WriteEntry(entry);
        }
        return path;
    }
}
