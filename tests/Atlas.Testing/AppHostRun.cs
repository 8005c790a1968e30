using System.Diagnostics;
using System.Reflection;

namespace Atlas.Testing;

/// <summary>Runs the built AppHost to its end with some arguments (publish steps) and returns its exit code and output.</summary>
public static class AppHostRun
{
    public static async Task<(int Code, string Output)> RunAsync(Assembly built, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var info = ClusterProcess.AppHostStartInfo(built);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("The AppHost did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
