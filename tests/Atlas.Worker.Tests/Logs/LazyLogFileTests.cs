using System.Text;
using Atlas.Core.SharedVolume;
using Atlas.Testing;
using Atlas.Worker.Logs;
using Atlas.Worker.Runtime;

namespace Atlas.Worker.Tests.Logs;

/// <summary>A job's log files appear with its first output, not before.</summary>
public sealed class LazyLogFileTests : IDisposable
{
    private readonly TempFolder _shared = new("atlas-logs");
    private readonly JobPaths _paths;

    public LazyLogFileTests()
    {
        _paths = new JobPaths(_shared.Path);
        Directory.CreateDirectory(_paths.Job(JobId));
    }

    private static string JobId => "0000000000job01";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _shared.Dispose();

    [Fact]
    public async Task DisposeAsync_NothingWritten_CreatesNoFileNorFolder()
    {
        var file = new LazyLogFile(_paths.OutputLog(JobId));

        await file.FlushAsync(Ct);
        await file.DisposeAsync();

        Directory.Exists(_paths.Logs(JobId)).ShouldBeFalse();
    }

    [Fact]
    public async Task WriteAsync_FirstWrite_CreatesFolderAndAppends()
    {
        await using (var file = new LazyLogFile(_paths.OutputLog(JobId)))
        {
            await file.WriteAsync("one\n"u8.ToArray(), Ct);
            await file.WriteAsync("two\n"u8.ToArray(), Ct);
        }

        (await File.ReadAllTextAsync(_paths.OutputLog(JobId), Ct)).ShouldBe("one\ntwo\n");
    }

    [Fact]
    public async Task JobLogWriter_OnlyStderr_CreatesOutputAndStderrOnly()
    {
        var writer = new JobLogWriter(_paths, JobId);

        await writer.WriteAsync(OutputStream.Stderr, Encoding.UTF8.GetBytes("oops\n"), Ct);
        await writer.DisposeAsync();

        (await File.ReadAllTextAsync(_paths.StderrLog(JobId), Ct)).ShouldBe("oops\n");
        (await File.ReadAllTextAsync(_paths.OutputLog(JobId), Ct)).ShouldBe("oops\n");
        File.Exists(_paths.StdoutLog(JobId)).ShouldBeFalse();
    }
}
