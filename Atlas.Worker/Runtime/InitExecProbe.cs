using System.Text;

namespace Atlas.Worker.Runtime;

/// <summary>
/// Passes a container's output on and watches the start of its stderr for the init's report
/// that it could not exec the job's command. With <c>Init</c> the engine starts the init, not
/// the command, so a program missing from the image is no longer an error at start: the init
/// (Docker's <c>docker-init</c>, which is tini) prints <c>[FATAL tini (7)] exec x failed: …</c>
/// and exits with 127 instead.
/// </summary>
internal sealed class InitExecProbe(IJobOutput inner) : IJobOutput
{
    private const int ExitCodeWhenExecFails = 127;
    private const string Marker = "[FATAL tini (";
    private const int Watched = 1024;

    private readonly List<byte> _stderrStart = [];

    public ValueTask WriteAsync(OutputStream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        // Chunks of one container arrive one at a time, so no lock is needed.
        if (stream == OutputStream.Stderr && _stderrStart.Count < Watched)
        {
            _stderrStart.AddRange(data.Span[..Math.Min(data.Length, Watched - _stderrStart.Count)]);
        }
        return inner.WriteAsync(stream, data, cancellationToken);
    }

    /// <summary>The init's reason (<c>exec x failed: No such file or directory</c>) when it could not start the command; else null.</summary>
    public string? ExecFailure(long exitCode)
    {
        if (exitCode != ExitCodeWhenExecFails)
        {
            return null;
        }
        var text = Encoding.UTF8.GetString([.. _stderrStart]);
        if (!text.StartsWith(Marker, StringComparison.Ordinal))
        {
            return null;
        }
        var line = text.Split('\n')[0];
        var reason = line[(line.IndexOf(']', StringComparison.Ordinal) + 1)..].Trim();
        return reason.StartsWith("exec ", StringComparison.Ordinal) ? reason : null;
    }
}
