using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;

namespace Atlas.Testing;

/// <summary>A submit body as the CLI sends it: a <c>spec</c> JSON part and a <c>bundle</c> .tar.gz part.</summary>
public static class JobUpload
{
    public static MultipartFormDataContent Multipart(string spec, byte[] bundle)
    {
        var content = new MultipartFormDataContent();
        var specPart = new StringContent(spec, Encoding.UTF8);
        specPart.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Add(specPart, "spec");
        var bundlePart = new ByteArrayContent(bundle);
        bundlePart.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        content.Add(bundlePart, "bundle", "bundle.tar.gz");
        return content;
    }

    /// <summary>A .tar.gz holding <paramref name="files"/> (name, text).</summary>
    public static byte[] Bundle(params (string Name, string Text)[] files)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (name, text) in files)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
            }
        }
        return buffer.ToArray();
    }
}
