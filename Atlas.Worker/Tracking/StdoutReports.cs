using System.Text;
using Atlas.Core.Tracking;
using Atlas.Worker.Runtime;

namespace Atlas.Worker.Tracking;

/// <summary>
/// Passes a job's output on unchanged, and hands each stdout line that starts with
/// <see cref="TrackingLineParser.StdoutPrefix"/> (<c>@@atlas {"metric":…}</c>) to the job's
/// <see cref="MetricsIngest"/>: the report format for programs that cannot open a file.
/// </summary>
internal sealed class StdoutReports(IJobOutput inner, MetricsIngest ingest) : IJobOutput
{
    private const int MaxLineBytes = 64 * 1024;
    private static readonly byte[] Prefix = Encoding.UTF8.GetBytes(TrackingLineParser.StdoutPrefix);
    private readonly List<byte> _line = [];
    private bool _overlong;

    public async ValueTask WriteAsync(OutputStream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await inner.WriteAsync(stream, data, cancellationToken);
        if (stream == OutputStream.Stdout)
        {
            Scan(data.Span);
        }
    }

    private void Scan(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            var piece = newline < 0 ? data : data[..newline];
            // Only lines that may still be reports are kept: a line that does not start with the prefix is dropped at once.
            if (!_overlong && _line.Count < Prefix.Length + MaxLineBytes)
            {
                _line.AddRange(piece);
            }
            else
            {
                _overlong = true;
            }
            if (_line.Count >= Prefix.Length && !_line.Take(Prefix.Length).SequenceEqual(Prefix))
            {
                _overlong = true; // not a report: ignore the rest of this line
                _line.Clear();
            }
            if (newline < 0)
            {
                return;
            }
            if (!_overlong && _line.Count > Prefix.Length)
            {
                ingest.EnqueueStdoutLine([.. _line.Skip(Prefix.Length)]);
            }
            _line.Clear();
            _overlong = false;
            data = data[(newline + 1)..];
        }
    }
}
