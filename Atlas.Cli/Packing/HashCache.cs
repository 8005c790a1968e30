using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Atlas.Cli.Packing;

/// <summary>
/// Each file's SHA-256 as last computed, keyed by its path in the project, its size and its
/// modification time, so an unchanged project is not read again. One file per project folder,
/// <c>~/.atlas/cache/hashes/{hash of the folder's path}.tsv</c>, rewritten with only the files
/// the last submit saw. A file changed within <see cref="RacyWindow"/> before it was hashed is
/// not cached: a second write in the same clock tick would keep its time and size (git's
/// "racily clean" problem). A damaged cache only costs a re-hash.
/// </summary>
public sealed class HashCache
{
    /// <summary>Files written this close to their hashing are hashed again next time.</summary>
    public static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    private const string Header = "atlas-hashes 1";
    private readonly string _path;
    private readonly Dictionary<string, (long Size, long Ticks, string Sha256)> _old;
    private readonly Dictionary<string, (long Size, long Ticks, string Sha256)> _seen = new(StringComparer.Ordinal);
    private bool _changed;

    private HashCache(string path, Dictionary<string, (long, long, string)> old)
    {
        _path = path;
        _old = old;
    }

    public static string FolderFor(string home) => Path.Combine(home, ".atlas", "cache", "hashes");

    public static HashCache Load(string home, string projectDir)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(projectDir))))[..32];
        var path = Path.Combine(FolderFor(home), key + ".tsv");
        var old = new Dictionary<string, (long, long, string)>(StringComparer.Ordinal);
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8);
            if (reader.ReadLine() == Header)
            {
                while (reader.ReadLine() is { } line)
                {
                    var parts = line.Split('\t', 4);
                    if (parts.Length == 4 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var size) &&
                        long.TryParse(parts[1], CultureInfo.InvariantCulture, out var ticks) && parts[2].Length == 64)
                    {
                        old[parts[3]] = (size, ticks, parts[2]);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
        }
        return new HashCache(path, old);
    }

    /// <summary>The file's hash: from the cache when its size and time are unchanged, else read and hashed now.</summary>
    public async Task<string> HashAsync(string name, FileInfo file, DateTime now, CancellationToken cancellationToken)
    {
        var size = file.Length;
        var ticks = file.LastWriteTimeUtc.Ticks;
        string sha256;
        lock (_seen)
        {
            if (_old.TryGetValue(name, out var cached) && cached.Size == size && cached.Ticks == ticks)
            {
                _seen[name] = cached;
                return cached.Sha256;
            }
        }
        await using (var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        {
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        }
        lock (_seen)
        {
            _changed = true;
            if (ticks < (now - RacyWindow).Ticks)
            {
                _seen[name] = (size, ticks, sha256);
            }
        }
        return sha256;
    }

    /// <summary>Writes the cache back when anything changed (best effort: a cache that cannot be written is skipped).</summary>
    public void Save()
    {
        if (!_changed && _seen.Count == _old.Count)
        {
            return;
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var temp = _path + "." + Guid.NewGuid().ToString("n");
            using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false)))
            {
                writer.Write(Header + "\n");
                foreach (var (name, (size, ticks, sha256)) in _seen)
                {
                    if (!name.Contains('\n', StringComparison.Ordinal))
                    {
                        writer.Write(string.Create(CultureInfo.InvariantCulture, $"{size}\t{ticks}\t{sha256}\t{name}\n"));
                    }
                }
            }
            File.Move(temp, _path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
