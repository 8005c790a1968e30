using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Atlas.AppHost.Orchestration;

/// <summary>
/// How Redis is started: <c>redis-server</c> from PATH (append-only file on), or, when it is
/// missing, Microsoft Garnet from the repo's local tool manifest (<c>dotnet tool restore</c>).
/// </summary>
internal sealed record RedisLauncher(string FileName, IReadOnlyList<string> Arguments, string Description)
{
    public const string NotFound =
        "error: redis-server not found: install it with `sudo apt-get install redis-server` (or run `dotnet tool restore` for Garnet)";

    /// <summary>The way to start Redis on <paramref name="port"/> (requiring <paramref name="password"/> unless null), or null when there is none.</summary>
    public static RedisLauncher? Locate(int port, string dataDir, string appendFsync, string repoRoot, Func<string, string?> findOnPath, Func<string, bool> restoreTools, string? password = null)
    {
        var portText = port.ToString(CultureInfo.InvariantCulture);
        if (findOnPath("redis-server") is { } redis)
        {
            return new RedisLauncher(redis,
                ["--bind", "127.0.0.1", "--port", portText, "--dir", dataDir, "--appendonly", "yes", "--appendfsync", appendFsync, "--save", "",
                    .. password is null ? Array.Empty<string>() : ["--requirepass", password]],
                $"redis-server (append-only, fsync {appendFsync}{(password is null ? "" : ", password")})");
        }
        if (restoreTools(repoRoot))
        {
            return new RedisLauncher("dotnet",
                ["tool", "run", "garnet-server", "--", "--bind", "127.0.0.1", "--port", portText, "--lua", "--aof", "--recover", "--checkpointdir", dataDir,
                    .. password is null ? Array.Empty<string>() : ["--auth", "Password", "--password", password]],
                "Garnet (redis-server not found)");
        }
        return null;
    }

    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs <c>dotnet tool restore</c> in the repo; true when the local tools are there.</summary>
    public static bool RestoreTools(string repoRoot)
    {
        try
        {
            using var restore = Process.Start(new ProcessStartInfo("dotnet", "tool restore")
            {
                WorkingDirectory = repoRoot,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            return restore is not null && restore.WaitForExit(TimeSpan.FromMinutes(2)) && restore.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>True once Redis answers PING on <paramref name="port"/> (after AUTH with <paramref name="password"/> unless null).</summary>
    public static async Task<bool> PingAsync(int port, CancellationToken cancellationToken, string? password = null)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, cancellationToken);
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII);
            if (password is not null)
            {
                // RESP, so the password needs no quoting.
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"*2\r\n$4\r\nAUTH\r\n${password.Length}\r\n{password}\r\n"), cancellationToken);
                if (await reader.ReadLineAsync(cancellationToken) is not "+OK")
                {
                    return false;
                }
            }
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            return (await reader.ReadLineAsync(cancellationToken))?.StartsWith("+PONG", StringComparison.Ordinal) == true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
