using System.Diagnostics;
using System.Net.Sockets;
using Atlas.Core.Net;
using Atlas.Core.Storage;
using StackExchange.Redis;
using Xunit;

namespace Atlas.Testing;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, with its data in a temp folder; killed on
/// dispose. Use as a class or collection fixture.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly TempFolder _data = new("atlas-redis");
    private readonly int? _port;
    private readonly string? _password;
    private Process? _process;

    /// <summary>A redis-server on a free port (the usual fixture).</summary>
    public RedisServer()
    {
    }

    private RedisServer(int? port, string? password)
    {
        _port = port;
        _password = password;
    }

    /// <summary>A redis-server on <paramref name="port"/>: for tests that start Redis after a service that waits for it.</summary>
    public static RedisServer OnPort(int port) => new(port, null);

    /// <summary>A redis-server on a free port that requires <paramref name="password"/> (<c>requirepass</c>).</summary>
    public static RedisServer WithPassword(string password) => new(null, password);

    public int Port { get; private set; }

    /// <summary>The StackExchange.Redis connection string, as <c>ConnectionStrings__redis</c> takes it.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},allowAdmin=true" + (_password is null ? "" : $",password={_password}");

    /// <summary>A connection to this server after emptying it: what a test class that shares the server starts each test from.</summary>
    public async Task<ConnectionMultiplexer> ConnectEmptyAsync()
    {
        var connection = RedisConnector.Connect(ConnectionString);
        await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
        return connection;
    }

    public async ValueTask InitializeAsync()
    {
        var exe = FindOnPath("redis-server") ?? throw TestEnvironment.Missing("redis-server");
        Port = _port ?? LoopbackPorts.Next();
        var info = new ProcessStartInfo(exe)
        {
            ArgumentList = { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _data.Path, "--save", "", "--appendonly", "yes", "--appendfsync", "everysec" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (_password is not null)
        {
            info.ArgumentList.Add("--requirepass");
            info.ArgumentList.Add(_password);
        }
        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new InvalidOperationException($"redis-server did not listen on port {Port} within 10 s.");
    }

    public ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        _data.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
