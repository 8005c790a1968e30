using System.Diagnostics;
using Atlas.Core;

namespace Atlas.EndToEnd.Tests;

/// <summary>The real <c>atlas</c> CLI, run as a process the way a user runs it, against one gateway.</summary>
internal sealed class AtlasCli(string gatewayUrl, string home)
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public async Task<Result> RunAsync(params string[] args)
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
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
