using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Atlas.Dashboard.Bench;

/// <summary>The resident memory of the process listening on a port (read from <c>ss</c> and <c>/proc</c>).</summary>
internal static partial class ProcessMemory
{
    public static async Task<long?> RssOfListenerAsync(int port) => await RssAsync(Pid().Match(await SocketsAsync($"sport = :{port}")));

    /// <summary>The resident memory of the listening process named <paramref name="name"/> (the first one).</summary>
    public static async Task<long?> RssOfNamedAsync(string name) =>
        await RssAsync(new Regex($"\"{Regex.Escape(name)}\",pid=(\\d+)").Match(await SocketsAsync(null)));

    private static async Task<string> SocketsAsync(string? filter)
    {
        var info = new ProcessStartInfo("ss", filter is null ? ["-ltnpH"] : ["-ltnpH", filter]) { RedirectStandardOutput = true };
        using var ss = Process.Start(info)!;
        var output = await ss.StandardOutput.ReadToEndAsync();
        await ss.WaitForExitAsync();
        return output;
    }

    private static async Task<long?> RssAsync(Match m)
    {
        if (!m.Success)
        {
            return null;
        }
        var status = await File.ReadAllLinesAsync($"/proc/{m.Groups[1].Value}/status");
        var rss = status.FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return rss is null ? null : long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    [GeneratedRegex(@"pid=(\d+)")]
    private static partial Regex Pid();
}
