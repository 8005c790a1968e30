using Spectre.Console;

namespace Atlas.Cli.Commands;

/// <summary>
/// The upload's progress bar, drawn on stderr only when stderr is a terminal: in a pipe or a script
/// the upload runs silently, so stdout carries nothing but the job id.
/// </summary>
internal static class UploadProgress
{
    /// <summary>Runs <paramref name="upload"/>, handing it the callback to report bytes sent (null when nothing is drawn).</summary>
    public static Task<T> RunAsync<T>(CliContext context, string label, Func<Action<long, long>?, Task<T>> upload)
    {
        if (!context.ErrorIsTerminal)
        {
            return upload(null);
        }
        return Output.CliConsole.Error(context).Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(label, maxValue: 1);
                var result = await upload((sent, total) =>
                {
                    task.MaxValue = Math.Max(total, 1);
                    task.Value = sent;
                });
                task.Value = task.MaxValue;
                return result;
            });
    }
}
