using System.Security.Cryptography;

namespace Atlas.Core.Storage;

/// <summary>
/// The password of the local cluster's Redis (<c>dotnet run --project Atlas.AppHost</c>): generated
/// once per data folder into <c>DATA/secrets/redis-password</c> (mode 0600) and reused by every
/// later run, so Redis is protected on one machine too. Tools and tests that open the AppHost's
/// Redis read it from there.
/// </summary>
public static class LocalRedisPassword
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Where the password of the cluster whose data folder is <paramref name="dataDir"/> lives.</summary>
    public static string PathFor(string dataDir) => Path.Combine(Path.GetFullPath(dataDir), "secrets", "redis-password");

    /// <summary>A new password (32 letters and digits).</summary>
    public static string Generate() => RandomNumberGenerator.GetString(Alphabet, 32);

    /// <summary>Keeps <paramref name="password"/> as <paramref name="dataDir"/>'s (mode 0600), unless it has one already.</summary>
    public static void Save(string dataDir, string password)
    {
        var path = PathFor(dataDir);
        if (File.Exists(path))
        {
            return;
        }
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the local cluster runs on Linux or macOS");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            using var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
            file.Write(System.Text.Encoding.ASCII.GetBytes(password + "\n"));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Written by another run at the same moment.
        }
    }

    /// <summary>The password of <paramref name="dataDir"/>'s cluster, or null when none was created.</summary>
    public static string? Read(string dataDir) => File.Exists(PathFor(dataDir)) ? File.ReadAllText(PathFor(dataDir)).Trim() : null;
}
