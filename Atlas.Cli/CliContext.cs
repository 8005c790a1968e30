namespace Atlas.Cli;

/// <summary>
/// What a CLI run touches outside itself: its output streams, environment, home folder and HTTP
/// handler. Tests run the real root command in-process with their own.
/// </summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, Func<string, string?> Environment, string Home)
{
    /// <summary>The handler for calls to the gateway; null for a default one.</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>The clock that decides when a token is due for renewal and paces login polling.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Whether stdout is a terminal, so tables may be framed and coloured; plain text otherwise.</summary>
    public bool OutIsTerminal { get; init; }

    /// <summary>Whether stderr is a terminal, so progress may be drawn there.</summary>
    public bool ErrorIsTerminal { get; init; }

    public static CliContext FromProcess() =>
        new(Console.Out, Console.Error, System.Environment.GetEnvironmentVariable,
            System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile))
        {
            OutIsTerminal = !Console.IsOutputRedirected,
            ErrorIsTerminal = !Console.IsErrorRedirected,
        };
}
