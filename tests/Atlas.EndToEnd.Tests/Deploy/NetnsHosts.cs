using System.Diagnostics;
using System.Globalization;
using Atlas.Testing;

namespace Atlas.EndToEnd.Tests.Deploy;

/// <summary>
/// Test hosts as network namespaces (<c>ip netns</c>) on their own /24, joined by a bridge that
/// lives in a namespace of its own (so the host's firewall rules, Docker's included, never see
/// their traffic); the test process reaches them through one more veth at <c>.254</c>. Host i has
/// the address <c>.i+1</c>. Needs root; everything is removed on dispose.
/// </summary>
internal sealed class NetnsHosts : IDisposable
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..6];
    private readonly List<string> _namespaces = [];
    private readonly string _subnet;

    private NetnsHosts(int count)
    {
        var random = Random.Shared;
        _subnet = $"10.{random.Next(200, 250)}.{random.Next(1, 250)}";
        Count = count;
    }

    public int Count { get; }

    /// <summary>Where the test process is on the hosts' network.</summary>
    public string TestAddress => $"{_subnet}.254";

    private string Switch => $"atl-{_id}-sw";

    /// <summary>Creates <paramref name="count"/> hosts, or fails (CI) / skips when this is not root or <c>ip</c> is missing.</summary>
    public static async Task<NetnsHosts> CreateAsync(int count, CancellationToken cancellationToken)
    {
        if (RedisServer.FindOnPath("ip") is null || Environment.UserName != "root")
        {
            throw TestEnvironment.Missing("root with iproute2 (ip netns)");
        }
        var hosts = new NetnsHosts(count);
        try
        {
            await hosts.BuildAsync(cancellationToken);
            return hosts;
        }
        catch
        {
            hosts.Dispose();
            throw;
        }
    }

    /// <summary>The namespace of host <paramref name="index"/> (0-based).</summary>
    public string Namespace(int index) => $"atl-{_id}-h{index}";

    /// <summary>The address of host <paramref name="index"/>.</summary>
    public string Address(int index) => $"{_subnet}.{index + 1}";

    /// <summary>Takes host <paramref name="index"/>'s link down: it can no longer reach, or be reached by, any other.</summary>
    public Task LinkDownAsync(int index, CancellationToken cancellationToken) =>
        IpAsync(cancellationToken, "-n", Switch, "link", "set", $"a{_id}s{index}", "down");

    /// <summary>Starts <paramref name="command"/> in host <paramref name="index"/> with only <paramref name="environment"/> (and PATH, HOME).</summary>
    public Process Start(int index, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, Action<string> onLine)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "netns", "exec", Namespace(index) }.Concat(command))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        info.Environment["HOME"] = Path.GetTempPath();
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { onLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { onLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public void Dispose()
    {
        foreach (var name in _namespaces.AsEnumerable().Reverse())
        {
            Ip(CancellationToken.None, "netns", "del", name).Wait();
        }
        // Deleting the switch's namespace deleted the peer, and with it our end; in case not:
        Ip(CancellationToken.None, "link", "del", $"a{_id}r").Wait();
    }

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        await AddNamespaceAsync(Switch, cancellationToken);
        await IpAsync(cancellationToken, "-n", Switch, "link", "add", "br0", "type", "bridge");
        await IpAsync(cancellationToken, "-n", Switch, "link", "set", "br0", "up");
        for (var i = 0; i < Count; i++)
        {
            var host = Namespace(i);
            await AddNamespaceAsync(host, cancellationToken);
            await PlugAsync($"a{_id}h{i}", $"a{_id}s{i}", host, cancellationToken);
            await IpAsync(cancellationToken, "-n", host, "addr", "add", Address(i) + "/24", "dev", $"a{_id}h{i}");
            await IpAsync(cancellationToken, "-n", host, "link", "set", $"a{_id}h{i}", "up");
            await IpAsync(cancellationToken, "-n", host, "link", "set", "lo", "up");
        }
        await PlugAsync($"a{_id}r", $"a{_id}q", null, cancellationToken);
        await IpAsync(cancellationToken, "addr", "add", TestAddress + "/24", "dev", $"a{_id}r");
        await IpAsync(cancellationToken, "link", "set", $"a{_id}r", "up");
    }

    // A veth pair: `near` goes into `host` (or stays here), `far` onto the switch's bridge.
    private async Task PlugAsync(string near, string far, string? host, CancellationToken cancellationToken)
    {
        await IpAsync(cancellationToken, "link", "add", near, "type", "veth", "peer", "name", far);
        if (host is not null)
        {
            await IpAsync(cancellationToken, "link", "set", near, "netns", host);
        }
        await IpAsync(cancellationToken, "link", "set", far, "netns", Switch);
        await IpAsync(cancellationToken, "-n", Switch, "link", "set", far, "master", "br0", "up");
    }

    private async Task AddNamespaceAsync(string name, CancellationToken cancellationToken)
    {
        await IpAsync(cancellationToken, "netns", "add", name);
        _namespaces.Add(name);
    }

    private static async Task IpAsync(CancellationToken cancellationToken, params string[] args)
    {
        var (code, output) = await Ip(cancellationToken, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {output}");
        }
    }

    private static async Task<(int Code, string Output)> Ip(CancellationToken cancellationToken, params string[] args)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken) + await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, output.Trim());
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Count} hosts on {_subnet}.0/24");
}
