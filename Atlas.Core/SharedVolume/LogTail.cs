namespace Atlas.Core.SharedVolume;

/// <summary>
/// Copies a log file to a stream and, when following, keeps copying what is appended until the
/// job has ended. Both the worker (woken by its own log writer) and the master (which waits on
/// the job's state) serve logs with it.
/// </summary>
public static class LogTail
{
    /// <summary>
    /// Writes <paramref name="path"/> to <paramref name="destination"/>. With a
    /// <paramref name="waitForMore"/>, after each catch-up it awaits that callback, which returns
    /// false once the job has ended; one last read then drains what was written before the end.
    /// A missing file reads as empty (the job has not written yet).
    /// </summary>
    public static async Task CopyAsync(
        string path,
        Stream destination,
        Func<CancellationToken, Task<bool>>? waitForMore,
        CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long position = 0;
        while (true)
        {
            position = await CopyFromAsync(path, position, buffer, destination, cancellationToken);
            await destination.FlushAsync(cancellationToken);
            if (waitForMore is null)
            {
                return;
            }
            if (!await waitForMore(cancellationToken))
            {
                await CopyFromAsync(path, position, buffer, destination, cancellationToken);
                await destination.FlushAsync(cancellationToken);
                return;
            }
        }
    }

    private static async Task<long> CopyFromAsync(string path, long position, byte[] buffer, Stream destination, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return position;
        }
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, useAsync: true);
        file.Seek(position, SeekOrigin.Begin);
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            position += read;
        }
        return position;
    }
}
