using System.CommandLine;
using Atlas.Cli.Api;

namespace Atlas.Cli.Commands;

/// <summary>
/// Runs a verb and turns every expected failure into one line on stderr and an exit code:
/// 1 for what the server or the network said, 2 for a usage mistake. Never a stack trace.
/// </summary>
internal static class CommandAction
{
    public static void Set(Command command, CliContext context, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await action(parse, cancellationToken);
            }
            catch (AtlasApiException ex)
            {
                await context.Error.WriteLineAsync($"error: {ex.Message}");
                return 1;
            }
            catch (CliException ex)
            {
                await context.Error.WriteLineAsync($"error: {ex.Message}");
                return ex.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 130;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await context.Error.WriteLineAsync($"error: {ex.Message}");
                return 1;
            }
        });

    /// <summary>The job id argument every job verb takes.</summary>
    public static Argument<string> JobId() => new("id") { Description = "the job's id (from `atlas submit` or `atlas ls`)" };
}
