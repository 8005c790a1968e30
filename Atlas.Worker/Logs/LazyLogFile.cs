namespace Atlas.Worker.Logs;

/// <summary>
/// One of a job's log files, created (with its <c>logs/</c> folder) on the first write, so a job
/// that prints nothing leaves no empty files behind. Each file created costs an inode allocation
/// on the shared volume (on a busy ext4 volume a scan of the group's inode bitmap, on NFS a round
/// trip to the server); readers take a missing log as empty (<c>LogTail</c>).
/// </summary>
internal sealed class LazyLogFile(string path) : IAsyncDisposable
{
    private FileStream? _file;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        (_file ??= Open()).WriteAsync(data, cancellationToken);

    public Task FlushAsync(CancellationToken cancellationToken) => _file?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => _file?.DisposeAsync() ?? ValueTask.CompletedTask;

    private FileStream Open()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 4096, useAsync: true);
    }
}
