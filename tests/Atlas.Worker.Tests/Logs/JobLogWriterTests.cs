using System.Text;
using Atlas.Core.SharedVolume;
using Atlas.Testing;
using Atlas.Worker.Logs;
using Atlas.Worker.Runtime;

namespace Atlas.Worker.Tests.Logs;

public sealed class JobLogWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WriteAsync_AfterSeal_IsDropped()
    {
        using var shared = new TempFolder("atlas-shared");
        var paths = new JobPaths(shared.Path);
        var writer = new JobLogWriter(paths, "job");

        await writer.WriteAsync(OutputStream.Stdout, Encoding.UTF8.GetBytes("before\n"), Ct);
        writer.Seal();
        await writer.WriteAsync(OutputStream.Stdout, Encoding.UTF8.GetBytes("after\n"), Ct);
        await writer.WriteAsync(OutputStream.Stderr, Encoding.UTF8.GetBytes("after\n"), Ct);
        await writer.DisposeAsync();

        (await File.ReadAllTextAsync(paths.OutputLog("job"), Ct)).ShouldBe("before\n");
        (await File.ReadAllTextAsync(paths.StdoutLog("job"), Ct)).ShouldBe("before\n");
        // Log files are created on a stream's first line, and stderr's came after the seal.
        File.Exists(paths.StderrLog("job")).ShouldBeFalse();
    }
}
