namespace Atlas.Cli.Commands;

/// <summary>Draws the upload's progress on one terminal line of stderr.</summary>
internal sealed class UploadProgress(TextWriter error, int files)
{
    private long _lastPercent = -1;

    public void Report(long sent, long total)
    {
        var percent = total == 0 ? 100 : sent * 100 / total;
        if (percent == _lastPercent)
        {
            return;
        }
        _lastPercent = percent;
        error.Write($"\ruploading {files} files: {Size(sent)} of {Size(total)} ({percent}%)   ");
    }

    public void Done()
    {
        if (_lastPercent >= 0)
        {
            error.WriteLine();
        }
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1 << 30 => $"{bytes / (double)(1 << 30):0.0} GiB",
        >= 1 << 20 => $"{bytes / (double)(1 << 20):0.0} MiB",
        >= 1 << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };
}
