using System.Diagnostics;
using Atlas.Testing;

namespace Atlas.Deploy.Aws.Tests.Templates;

/// <summary>Runs the real <c>cfn-lint</c> on template files; fails in CI when it is not installed.</summary>
internal static class CfnLint
{
    public static async Task<(int Code, string Output)> RunAsync(IEnumerable<string> files, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("cfn-lint") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--");
        foreach (var file in files)
        {
            start.ArgumentList.Add(file);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw TestEnvironment.Missing("cfn-lint (pip install cfn-lint, or npm's cfn-lint)");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
