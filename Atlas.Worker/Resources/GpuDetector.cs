using System.ComponentModel;
using System.Diagnostics;
using Atlas.Core.Nodes;
using Atlas.Worker.Options;
using Microsoft.Extensions.Options;

namespace Atlas.Worker.Resources;

/// <summary>
/// Finds the node's GPUs: the ids declared in <c>Atlas:Worker:Gpus</c> when set, else what
/// nvidia-smi lists (run once, bounded by <see cref="WorkerOptions.NvidiaSmiTimeoutSeconds"/>).
/// No nvidia-smi, or one that fails, means no GPU; the reason goes to the log.
/// </summary>
internal sealed class GpuDetector(IOptions<WorkerOptions> options, TimeProvider time, ILogger<GpuDetector> logger)
{
    public const string DeclaredModel = "declared";

    public async Task<IReadOnlyList<NodeGpu>> DetectAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.DeclaredGpus is { Count: > 0 } declared)
        {
            return [.. declared.Select(id => new NodeGpu(id, DeclaredModel, 0))];
        }
        var output = await RunAsync(o.NvidiaSmi, TimeSpan.FromSeconds(o.NvidiaSmiTimeoutSeconds), cancellationToken);
        if (output is null)
        {
            return [];
        }
        var (gpus, unreadable) = NvidiaSmiParser.Parse(output);
        foreach (var line in unreadable)
        {
            Log.NvidiaSmiLineSkipped(logger, line);
        }
        return gpus;
    }

    // The output of a successful run; null when there is no nvidia-smi or it failed or hung.
    private async Task<string?> RunAsync(string program, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo(program)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
        };
        foreach (var argument in NvidiaSmiParser.Arguments.Split(' '))
        {
            process.StartInfo.ArgumentList.Add(argument);
        }
        try
        {
            process.Start();
        }
        catch (Win32Exception)
        {
            Log.NoNvidiaSmi(logger, program);
            return null;
        }
        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(bounded.Token);
            var stderr = process.StandardError.ReadToEndAsync(bounded.Token);
            await process.WaitForExitAsync(bounded.Token);
            if (process.ExitCode != 0)
            {
                Log.NvidiaSmiFailed(logger, process.ExitCode, (await stderr).Trim() is { Length: > 0 } e ? e : (await stdout).Trim());
                return null;
            }
            return await stdout;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.NvidiaSmiTimedOut(logger, timeout.TotalSeconds);
            return null;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
