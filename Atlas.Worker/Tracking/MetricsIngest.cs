using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Atlas.Core.SharedVolume;
using Atlas.Core.Tracking;
using Atlas.Worker.Runtime;
using StackExchange.Redis;

namespace Atlas.Worker.Tracking;

/// <summary>
/// Takes one running job's reports: it reads the job's metrics file as it grows and the report
/// lines of its stdout, stamps them with the worker's time, and every tick writes what came in
/// one batch — first appended to the durable copy (<c>jobs/{id}/metrics.jsonl</c>), then to Redis
/// in one script fenced by the attempt's token. A flooding job costs one write per tick and at
/// most <see cref="TrackingLimits.MaxBytesPerTick"/> of reading; the rest waits in its file.
/// Bad lines are counted, and the first few are shown on the job's stderr.
/// A first attempt that reports nothing costs no Redis call: what earlier attempts left is read
/// only once the job's file appears or a report line comes on stdout.
/// </summary>
internal sealed class MetricsIngest : IAsyncDisposable
{
    /// <summary>The report lines of stdout waiting for the next tick, at most; past it they are counted as skipped.</summary>
    private const int MaxQueuedStdoutLines = 100_000;
    private const int MaxLineBytes = 64 * 1024;

    private readonly string _id;
    private readonly long _fence;
    private readonly string _rawFile;
    private readonly string? _jobOutputDir;
    private readonly string _durableFile;
    private readonly TrackingWriter _writer;
    private JobTracking _t;
    private readonly IJobOutput _jobLog;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<byte[]> _stdout = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ArrayBufferWriter<byte> _durable = new();
    private readonly List<byte> _partial = [];
    private readonly Dictionary<string, SeriesState> _touched = new(StringComparer.Ordinal);
    private readonly TrackingBatch _labels = new();
    private readonly List<(string Name, MetricPoint Point)> _live = [];
    private readonly Dictionary<string, (MetricPoint Min, MetricPoint Max, MetricPoint Last)> _overDurableCap = new(StringComparer.Ordinal);
    private int _stdoutQueued;
    private long _stdoutDropped;
    private long _offset;
    private bool _skippingLongLine;
    private bool _expectExisting;
    private bool _stale;
    private bool _countsChanged;
    private int _warningsShown;
    private long _durablePoints;
    private Task _loop = Task.CompletedTask;

    // Set while nothing has been reported yet (a first attempt): reads what Redis holds, at the first report.
    private Func<CancellationToken, Task<(JobTracking T, bool Expect)>>? _load;

    private MetricsIngest(string id, long fence, string rawFile, string? jobOutputDir, string durableFile, TrackingWriter writer,
        JobTracking t, bool expectExisting, IJobOutput jobLog, TimeProvider time, ILogger logger)
    {
        _id = id;
        _fence = fence;
        _rawFile = rawFile;
        _jobOutputDir = jobOutputDir;
        _durableFile = durableFile;
        _writer = writer;
        _t = t;
        _jobLog = jobLog;
        _time = time;
        _logger = logger;
        Adopt(t, expectExisting);
    }

    // Takes over what earlier attempts reported (Expect: Redis holds it) as this ingest's starting point.
    private void Adopt(JobTracking t, bool expect)
    {
        _t = t;
        _expectExisting = expect;
        _durablePoints = t.Points;
        _warningsShown = t.Warnings.Count;
    }

    /// <summary>
    /// Starts taking the reports of job <paramref name="id"/> from <paramref name="rawFile"/>. What
    /// earlier attempts reported is read back first, from Redis or else the durable copy, so caps and
    /// counts go on from there. An earlier attempt's file is read on from where its worker had got to
    /// (it crashed before reading the rest), then removed: this attempt starts its own.
    /// </summary>
    public static async Task<MetricsIngest> StartAsync(string id, long fence, bool firstAttempt, string rawFile, string? jobOutputDir, JobPaths paths,
        TrackingWriter writer, TrackingLimits limits, IJobOutput jobLog, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        Task<(JobTracking T, bool Expect)> Load(CancellationToken ct) => LoadAsync(id, paths, writer, limits, logger, ct);
        if (firstAttempt && !File.Exists(rawFile))
        {
            // Nothing to go on from, and perhaps nothing will ever be reported: read Redis only at the first report.
            var lazy = new MetricsIngest(id, fence, rawFile, jobOutputDir, DurableMetrics.PathOf(paths, id), writer, new JobTracking(limits), false, jobLog, time, logger)
            {
                _load = Load,
            };
            lazy._loop = Task.Run(lazy.LoopAsync, CancellationToken.None);
            return lazy;
        }
        var (t, expect) = await Load(cancellationToken);
        var ingest = new MetricsIngest(id, fence, rawFile, jobOutputDir, DurableMetrics.PathOf(paths, id), writer, t, expect, jobLog, time, logger);
        if (!expect)
        {
            ingest.ResendAll(); // Redis holds nothing: the first write sends what the durable copy had
        }
        if (File.Exists(rawFile))
        {
            if (expect && t.FileOffset > 0 && t.FileOffset <= new FileInfo(rawFile).Length)
            {
                ingest._offset = t.FileOffset;
                await ingest.TickAsync(final: true, cancellationToken);
            }
            File.Delete(rawFile);
        }
        ingest._offset = t.FileOffset = 0;
        ingest._countsChanged = true; // the first write records the new file's offset
        ingest._loop = Task.Run(ingest.LoopAsync, CancellationToken.None);
        return ingest;
    }

    // What earlier attempts reported: from Redis, or else the durable copy; Expect says Redis had it.
    private static async Task<(JobTracking T, bool Expect)> LoadAsync(
        string id, JobPaths paths, TrackingWriter writer, TrackingLimits limits, ILogger logger, CancellationToken cancellationToken)
    {
        JobTracking? t = null;
        try
        {
            t = await writer.LoadAsync(id, limits, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.MetricsWriteFailed(logger, id, ex);
        }
        return t is not null ? (t, true) : (DurableMetrics.Load(paths, id, limits) ?? new JobTracking(limits), false);
    }

    // The first report of a first attempt: take over what Redis holds (the submit's params and tags) before it is applied.
    private async Task<bool> LoadOnFirstReportAsync(CancellationToken cancellationToken)
    {
        if (_load is null)
        {
            return true;
        }
        if (!File.Exists(_rawFile) && _stdout.IsEmpty && Interlocked.Read(ref _stdoutDropped) == 0)
        {
            return false; // still nothing reported
        }
        var (t, expect) = await _load(cancellationToken);
        _load = null;
        Adopt(t, expect);
        if (!expect)
        {
            ResendAll();
        }
        _offset = t.FileOffset = 0;
        _countsChanged = true;
        return true;
    }

    /// <summary>Takes a chunk of the job's stdout; report lines are picked out by <see cref="StdoutReports"/>.</summary>
    public void EnqueueStdoutLine(byte[] line)
    {
        if (Interlocked.Increment(ref _stdoutQueued) > MaxQueuedStdoutLines)
        {
            Interlocked.Decrement(ref _stdoutQueued);
            Interlocked.Increment(ref _stdoutDropped);
            return;
        }
        _stdout.Enqueue(line);
    }

    /// <summary>
    /// Stops the ticks, then reads what is left of the file and writes it: called when the job has
    /// ended, before its end is recorded, so what it reported last is stored before anyone sees it finished.
    /// </summary>
    public async Task StopAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync();
        await _loop;
        try
        {
            await TickAsync(final: true, CancellationToken.None);
            if (!_stale && _load is null)
            {
                await _writer.EndAsync(_id, _t.Limits, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.MetricsWriteFailed(_logger, _id, ex); // the live feed then stays, capped
        }
        catch (Exception ex)
        {
            Log.MetricsIngestFailed(_logger, _id, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_t.Limits.FlushMilliseconds), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await TickAsync(final: false, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Reports are never worth the job: it runs on, and what it reports now is not taken.
            Log.MetricsIngestFailed(_logger, _id, ex);
            _stale = true;
        }
    }

    private async Task TickAsync(bool final, CancellationToken cancellationToken)
    {
        if (_stale || !await LoadOnFirstReportAsync(cancellationToken))
        {
            return;
        }
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        try
        {
            await ReadFileAsync(now, final, cancellationToken);
        }
        catch (IOException ex)
        {
            Log.MetricsReadFailed(_logger, _id, ex);
        }
        while (_stdout.TryDequeue(out var line))
        {
            Interlocked.Decrement(ref _stdoutQueued);
            Take(line, now);
        }
        var dropped = Interlocked.Exchange(ref _stdoutDropped, 0);
        if (dropped > 0)
        {
            _t.Apply(ParsedLine.Fail(LineFault.Garbage, $"{dropped} report lines on stdout came faster than they could be taken"), now);
            _t.SkippedLines += dropped - 1;
            _countsChanged = true;
        }
        if (_touched.Count > 0 || _labels.Params.Count > 0 || _labels.Tags.Count > 0 || _countsChanged || _durable.WrittenCount > 0)
        {
            await FlushAsync(cancellationToken);
        }
    }

    private async Task ReadFileAsync(long now, bool final, CancellationToken cancellationToken)
    {
        if (!File.Exists(_rawFile))
        {
            return;
        }
        await using var file = new FileStream(_rawFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, useAsync: true);
        if (file.Length < _offset)
        {
            _offset = 0; // the job truncated its file: read it from the start
            _partial.Clear();
        }
        file.Seek(_offset, SeekOrigin.Begin);
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            long taken = 0;
            int read;
            while ((final || taken < _t.Limits.MaxBytesPerTick) && (read = await file.ReadAsync(buffer, cancellationToken)) > 0)
            {
                taken += read;
                _offset += read;
                Split(buffer.AsSpan(0, read), now);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (final && _partial.Count > 0)
        {
            Take([.. _partial], now); // a last line without its newline
            _partial.Clear();
        }
        _t.FileOffset = _offset - _partial.Count; // up to the last whole line taken
    }

    private void Split(ReadOnlySpan<byte> data, long now)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            var piece = newline < 0 ? data : data[..newline];
            if (!_skippingLongLine)
            {
                if (_partial.Count + piece.Length > MaxLineBytes)
                {
                    _skippingLongLine = true;
                    _partial.Clear();
                    _t.Apply(ParsedLine.Fail(LineFault.Garbage, $"a line longer than {MaxLineBytes} bytes"), now);
                    _countsChanged = true;
                }
                else if (newline >= 0)
                {
                    if (_partial.Count == 0)
                    {
                        Take(piece, now);
                    }
                    else
                    {
                        _partial.AddRange(piece);
                        Take([.. _partial], now);
                        _partial.Clear();
                    }
                }
                else
                {
                    _partial.AddRange(piece);
                }
            }
            if (newline < 0)
            {
                return;
            }
            _skippingLongLine = false;
            data = data[(newline + 1)..];
        }
    }

    private void Take(ReadOnlySpan<byte> line, long now)
    {
        var parsed = TrackingLineParser.Parse(line, _jobOutputDir);
        if (!parsed.Ok)
        {
            _t.Apply(parsed, now);
            _countsChanged = true;
            return;
        }
        var e = parsed.Entry;
        switch (e.Kind)
        {
            case EntryKind.Metric:
                var before = _t.Series.Count;
                var series = _t.Apply(parsed, now);
                if (series is null)
                {
                    _countsChanged = true;
                    return;
                }
                _touched[series.Name] = series;
                var point = series.Points[^1];
                if (_live.Count < _t.Limits.MaxLivePerFlush)
                {
                    _live.Add((series.Name, point));
                }
                KeepDurable(series.Name, point);
                return;
            case EntryKind.Param or EntryKind.Tag:
                var labels = e.Kind == EntryKind.Param ? _t.Params : _t.Tags;
                var count = labels.Count;
                var known = labels.TryGetValue(e.Name, out var old);
                _t.Apply(parsed, now);
                if (labels.TryGetValue(e.Name, out var value) && (!known || old != value))
                {
                    (e.Kind == EntryKind.Param ? _labels.Params : _labels.Tags).Add((e.Name, value));
                    DurableMetrics.AppendLine(_durable, w => DurableMetrics.WriteLabel(w, e.Kind, e.Name, value));
                }
                else if (labels.Count == count && !known)
                {
                    _countsChanged = true; // refused: past the cap
                }
                return;
            default:
                var seen = _t.Artifacts.Count;
                _t.Apply(parsed, now);
                if (_t.Artifacts.Count > seen)
                {
                    DurableMetrics.AppendLine(_durable, w => DurableMetrics.WriteLabel(w, EntryKind.Artifact, e.Name, null));
                }
                return;
        }
    }

    // Up to the cap every point goes to the durable copy; past it, each write keeps each series'
    // smallest, largest and last of the batch, so a rebuild still has the extremes and the last value.
    private void KeepDurable(string name, MetricPoint point)
    {
        if (_durablePoints < _t.Limits.MaxDurablePoints)
        {
            _durablePoints++;
            DurableMetrics.AppendLine(_durable, w => DurableMetrics.WritePoint(w, name, point));
            return;
        }
        _overDurableCap[name] = _overDurableCap.TryGetValue(name, out var k)
            ? (point.Value < k.Min.Value ? point : k.Min, point.Value > k.Max.Value ? point : k.Max, point)
            : (point, point, point);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, k) in _overDurableCap)
        {
            foreach (var p in new[] { k.Min, k.Max, k.Last }.Distinct())
            {
                DurableMetrics.AppendLine(_durable, w => DurableMetrics.WritePoint(w, name, p));
            }
        }
        _overDurableCap.Clear();
        if (_countsChanged)
        {
            DurableMetrics.AppendLine(_durable, w => DurableMetrics.WriteCounts(w, _t));
        }
        await ShowWarningsAsync(cancellationToken);
        try
        {
            await AppendDurableAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            Log.MetricsReadFailed(_logger, _id, ex); // Redis still has them; the next write tries again
        }

        // Points past the live cap: each series' latest still reaches followers.
        if (_live.Count >= _t.Limits.MaxLivePerFlush)
        {
            _live.AddRange(_touched.Values.Select(s => (s.Name, s.Points[^1])));
        }
        var batch = NextBatch();
        try
        {
            var outcome = await _writer.FlushAsync(_id, _fence, _expectExisting, _t, batch, cancellationToken);
            if (outcome == FlushOutcome.Reset)
            {
                Log.MetricsResent(_logger, _id);
                ResendAll();
                batch = NextBatch();
                outcome = await _writer.FlushAsync(_id, _fence, expectExisting: false, _t, batch, cancellationToken);
            }
            if (outcome == FlushOutcome.Stale)
            {
                _stale = true;
                Log.MetricsStale(_logger, _id);
            }
            _expectExisting = true;
            _touched.Clear();
            _labels.Params.Clear();
            _labels.Tags.Clear();
            _countsChanged = false;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Redis is away: what was taken stays held and is sent whole with the next write.
            Log.MetricsWriteFailed(_logger, _id, ex);
            foreach (var series in _touched.Values)
            {
                series.MarkForRewrite();
            }
        }
        finally
        {
            _live.Clear();
        }
    }

    private void ResendAll()
    {
        foreach (var series in _t.Series.Values)
        {
            series.MarkForRewrite();
            _touched[series.Name] = series;
        }
        _labels.Params.Clear();
        _labels.Tags.Clear();
        _labels.Params.AddRange(_t.Params.Select(p => (p.Key, p.Value)));
        _labels.Tags.AddRange(_t.Tags.Select(p => (p.Key, p.Value)));
        _countsChanged = true;
    }

    // What changed since the last write; series marked for rewrite are sent whole.
    private TrackingBatch NextBatch()
    {
        var batch = new TrackingBatch();
        foreach (var series in _touched.Values)
        {
            var (rewrite, bytes) = series.TakePending();
            batch.Series.Add((series.Name, rewrite, bytes, series.Summary!));
        }
        batch.Params.AddRange(_labels.Params);
        batch.Tags.AddRange(_labels.Tags);
        batch.Live.AddRange(_live);
        return batch;
    }

    private async Task AppendDurableAsync(CancellationToken cancellationToken)
    {
        if (_durable.WrittenCount == 0)
        {
            return;
        }
        await using (var file = new FileStream(_durableFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1, useAsync: true))
        {
            await file.WriteAsync(_durable.WrittenMemory, cancellationToken);
        }
        _durable.Clear();
    }

    private async Task ShowWarningsAsync(CancellationToken cancellationToken)
    {
        while (_warningsShown < _t.Warnings.Count)
        {
            var text = $"atlas: a report of this job was not taken ({_t.Warnings[_warningsShown++]}); `atlas metrics` counts them\n";
            await _jobLog.WriteAsync(OutputStream.Stderr, Encoding.UTF8.GetBytes(text), cancellationToken);
        }
    }
}
