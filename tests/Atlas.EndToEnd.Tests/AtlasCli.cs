using System.Diagnostics;
using System.Text;
using Atlas.Core;

namespace Atlas.EndToEnd.Tests;

/// <summary>The real <c>atlas</c> CLI, run as a process the way a user runs it, against one gateway.</summary>
internal sealed class AtlasCli(string gatewayUrl, string home, IReadOnlyDictionary<string, string>? environment = null)
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public Task<Result> RunAsync(params string[] args) => RunAsync(onLine: null, args);

    /// <summary>Runs the CLI and hands each stdout line to <paramref name="onLine"/> as it comes (to answer a login prompt).</summary>
    public async Task<Result> RunAsync(Func<string, Task>? onLine, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(AtlasBuildInfo.ProjectDll(typeof(AtlasCli).Assembly, "Atlas.Cli"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["ATLAS_URL"] = gatewayUrl;
        info.Environment["HOME"] = home; // no user config leaks in
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        string stdout;
        if (onLine is null)
        {
            stdout = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken); // byte for byte
        }
        else
        {
            var lines = new StringBuilder();
            while (await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
            {
                lines.Append(line).Append('\n');
                await onLine(line);
            }
            stdout = lines.ToString();
        }
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new Result(process.ExitCode, stdout, await stderr);
    }
}
