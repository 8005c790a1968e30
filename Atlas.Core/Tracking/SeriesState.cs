namespace Atlas.Core.Tracking;

/// <summary>
/// One metric's points, held to a cap. Past the cap the series is downsampled to about half:
/// each run of four points keeps its smallest and its largest, and the last point is always
/// kept, so the extremes and the latest value survive any amount of downsampling.
/// Also tracks what changed since the last write (<see cref="TakePending"/>).
/// </summary>
public sealed class SeriesState
{
    private const int Group = 4;
    private readonly int _cap;
    private List<MetricPoint> _points;
    private int _written;
    private bool _rewrite;

    /// <summary>A series of at most <paramref name="cap"/> points (at least 8).</summary>
    public SeriesState(string name, int cap, List<MetricPoint>? points = null, MetricSummary? summary = null)
    {
        Name = name;
        _cap = Math.Max(8, cap);
        _points = points ?? [];
        Summary = summary ?? Summarize(_points);
        _written = _points.Count;
        if (_points.Count > _cap)
        {
            Downsample();
        }
    }

    public string Name { get; }

    public IReadOnlyList<MetricPoint> Points => _points;

    /// <summary>Last, min and max over every point ever added, not only those kept.</summary>
    public MetricSummary? Summary { get; private set; }

    public void Add(MetricPoint point)
    {
        Summary = Summary is null
            ? new MetricSummary(point.Value, point.Value, point.Value, point.Step)
            : new MetricSummary(point.Value, Math.Min(Summary.Min, point.Value), Math.Max(Summary.Max, point.Value), point.Step);
        _points.Add(point);
        if (_points.Count > _cap)
        {
            Downsample();
        }
    }

    /// <summary>
    /// What to write since the last call: every point (<c>Rewrite</c>: the series was downsampled,
    /// or the store lost it) or only the new ones to append.
    /// </summary>
    public (bool Rewrite, byte[] Bytes) TakePending()
    {
        var result = _rewrite ? (true, PointCodec.Encode(_points)) : (false, PointCodec.Encode(_points, _written));
        _written = _points.Count;
        _rewrite = false;
        return result;
    }

    /// <summary>Whether anything is waiting to be written.</summary>
    public bool HasPending => _rewrite || _written < _points.Count;

    /// <summary>Makes the next write send every point (the store lost its copy).</summary>
    public void MarkForRewrite() => _rewrite = true;

    private void Downsample()
    {
        var kept = new List<MetricPoint>(_points.Count / 2 + Group);
        var last = _points.Count - 1;
        for (var start = 0; start <= last; start += Group)
        {
            var end = Math.Min(start + Group, last + 1);
            int lo = start, hi = start;
            for (var i = start + 1; i < end; i++)
            {
                if (_points[i].Value < _points[lo].Value)
                {
                    lo = i;
                }
                if (_points[i].Value > _points[hi].Value)
                {
                    hi = i;
                }
            }
            kept.Add(_points[Math.Min(lo, hi)]);
            if (lo != hi)
            {
                kept.Add(_points[Math.Max(lo, hi)]);
            }
            if (end - 1 == last && Math.Max(lo, hi) != last)
            {
                kept.Add(_points[last]);
            }
        }
        _points = kept;
        _rewrite = true;
    }

    private static MetricSummary? Summarize(List<MetricPoint> points) =>
        points.Count == 0 ? null : new MetricSummary(points[^1].Value, points.Min(p => p.Value), points.Max(p => p.Value), points[^1].Step);
}
