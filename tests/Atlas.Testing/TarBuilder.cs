using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Atlas.Testing;

/// <summary>Builds .tar.gz bundles entry by entry, including the hostile ones no real packer writes.</summary>
public sealed class TarBuilder
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
        System.IO.File.WriteAllBytes(path, ToBytes());
        return path;
    }

    /// <summary>The .tar.gz itself, e.g. to upload.</summary>
    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var entry in _entries)
            {
                tar.WriteEntry(entry);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// A .tar.gz of one file whose name is <c>ok-</c> followed by bytes that are not UTF-8, in a
    /// ustar header written by hand: TarWriter only writes valid names.
    /// </summary>
    public static byte[] NonUtf8Name()
    {
        var header = new byte[512];
        Encoding.ASCII.GetBytes("ok-").CopyTo(header, 0);
        header[3] = 0xff;
        header[4] = 0xfe;
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 116);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 124);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 136);
        header[156] = (byte)'0';
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(header, 257);
        Encoding.ASCII.GetBytes("        ").CopyTo(header, 148);
        var sum = header.Sum(b => (int)b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(header);
            gzip.Write(new byte[1024]);
        }
        return buffer.ToArray();
    }
}
