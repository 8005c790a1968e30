using System.Diagnostics;

namespace Atlas.Bench;

/// <summary>
/// The machine's limit for a cluster that starts one process per job: how fast .NET starts and
/// reaps <c>true</c> at the concurrency the workers use (<c>workers × slots</c>), measured in the
/// same run as Atlas so that both see the same machine.
/// </summary>
internal static class RawSpawn
{
    public static async Task<double> PerSecondAsync(int count, int concurrency)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < count)
            {
                using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
                await process.WaitForExitAsync();
            }
        }));
        return count / clock.Elapsed.TotalSeconds;
    }
}
