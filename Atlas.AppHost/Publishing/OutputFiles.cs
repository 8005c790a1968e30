using System.Text;

namespace Atlas.AppHost.Publishing;

/// <summary>
/// Writes generated files the same way every time: UTF-8 without BOM, LF line ends, fixed modes
/// (secrets 0600, scripts 0755, the rest 0644), so two publishes of one model compare byte for byte.
/// </summary>
public static class OutputFiles
{
    public const UnixFileMode Secret = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode Plain = Secret | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public const UnixFileMode Script = Plain | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> (folders created) with <paramref name="mode"/>.</summary>
    public static async Task WriteAsync(string path, string text, UnixFileMode mode, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the deploy targets are written on Linux or macOS (file modes)");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // A secret must never exist with a wider mode, not even for a moment: create it narrow.
        if (File.Exists(path))
        {
            File.SetUnixFileMode(path, mode & Secret);
        }
        await using (var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode & Secret }))
        {
            await file.WriteAsync(Utf8.GetBytes(text.ReplaceLineEndings("\n")), cancellationToken);
        }
        File.SetUnixFileMode(path, mode);
    }

    /// <summary>
    /// Copies the repository files behind every files mount of <paramref name="services"/> to the
    /// same relative place under <paramref name="folder"/> (<c>files/keycloak/…</c>).
    /// </summary>
    public static async Task CopyMountedFilesAsync(IEnumerable<DeployableService> services, string repoRoot, string folder, CancellationToken cancellationToken)
    {
        foreach (var mount in services.SelectMany(s => s.Mounts).Where(m => m.Files).DistinctBy(m => m.Source))
        {
            var source = Path.Combine(repoRoot, Path.GetRelativePath("files", mount.Source));
            var files = Directory.Exists(source)
                ? Directory.GetFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f => (From: f, To: Path.Combine(folder, mount.Source, Path.GetRelativePath(source, f))))
                : [(From: source, To: Path.Combine(folder, mount.Source))];
            foreach (var (from, to) in files)
            {
                await WriteAsync(to, await File.ReadAllTextAsync(from, cancellationToken), Plain, cancellationToken);
            }
        }
    }
}
