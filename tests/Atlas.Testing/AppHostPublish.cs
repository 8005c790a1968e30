using System.Diagnostics;
using System.Reflection;

namespace Atlas.Testing;

/// <summary>
/// Runs one of the built AppHost's publish steps (<c>--operation publish --step STEP --output-path DIR</c>),
/// the way a user does, and fails with its output when it does not exit 0.
/// </summary>
public static class AppHostPublish
{
    /// <summary>Runs <paramref name="step"/> into <paramref name="outputDir"/>; <paramref name="environment"/> adds variables (<c>Parameters__redis-password</c>).</summary>
    public static async Task RunAsync(Assembly built, string step, string outputDir, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var info = ClusterProcess.AppHostStartInfo(built);
        foreach (var arg in new[] { "--operation", "publish", "--step", step, "--output-path", outputDir })
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("the AppHost did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"publish step {step} exited with {process.ExitCode}:\n{await stdout}{await stderr}");
        }
    }

    /// <summary>Every file under <paramref name="folder"/>: its relative path, its mode and its bytes, in path order.</summary>
    public static IReadOnlyList<(string Path, UnixFileMode Mode, byte[] Bytes)> Snapshot(string folder) =>
        [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => (System.IO.Path.GetRelativePath(folder, f), File.GetUnixFileMode(f), File.ReadAllBytes(f)))
            .OrderBy(f => f.Item1, StringComparer.Ordinal)];
}
