using System.Text.Json;
using Atlas.Cli.Config;
using Atlas.Core;

namespace Atlas.Cli.Auth;

/// <summary>
/// Sessions on disk: one file per context under <c>~/.atlas/sessions/</c>, the folder 0700 and each
/// file 0600, written to a temporary file and renamed so a reader never sees half a file.
/// </summary>
public static class SessionStore
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string FolderFor(string home) => Path.Combine(home, ".atlas", "sessions");

    public static string PathFor(string home, GatewayTarget target) => Path.Combine(FolderFor(home), target.SessionKey + ".json");

    /// <summary>The session for <paramref name="target"/>, or null when there is none or it was made for another gateway.</summary>
    public static Session? Load(string home, GatewayTarget target)
    {
        var path = PathFor(home, target);
        if (!File.Exists(path))
        {
            return null;
        }
        Session? session;
        try
        {
            session = JsonSerializer.Deserialize<Session>(File.ReadAllText(path), AtlasJson.Options);
        }
        catch (JsonException)
        {
            throw new CliException($"{path} is not a valid session file: delete it and run 'atlas login'");
        }
        return session is not null && SameGateway(session.Gateway, target.Url) ? session : null;
    }

    public static void Save(string home, GatewayTarget target, Session session)
    {
        var atlas = Path.Combine(home, ".atlas");
        if (!Directory.Exists(atlas))
        {
            CreatePrivateFolder(atlas);
        }
        var folder = FolderFor(home);
        CreatePrivateFolder(folder);
        var path = PathFor(home, target);
        var temp = $"{path}.{Guid.NewGuid():n}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode600; // created private, never widened and narrowed after
        }
        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, session, AtlasJson.Options);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Deletes the session file; true when there was one.</summary>
    public static bool Delete(string home, GatewayTarget target)
    {
        var path = PathFor(home, target);
        if (!File.Exists(path))
        {
            return false;
        }
        File.Delete(path);
        return true;
    }

    private static void CreatePrivateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path); // the user's profile is private there already
            return;
        }
        Directory.CreateDirectory(path, FolderMode);
        File.SetUnixFileMode(path, FolderMode); // a folder made earlier may have a looser mode
    }

    private static bool SameGateway(string stored, Uri current) =>
        Uri.TryCreate(stored, UriKind.Absolute, out var uri) && Uri.Compare(uri, current, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
}
