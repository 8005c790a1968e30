namespace Atlas.Core.Tracking;

/// <summary>What one write sends: changed series (appended, or rewritten after a downsample), changed params and tags, and points for the live feed.</summary>
public sealed class TrackingBatch
{
    public List<(string Name, bool Rewrite, byte[] Bytes, MetricSummary Summary)> Series { get; } = [];

    public List<(string Name, string Value)> Params { get; } = [];

    public List<(string Name, string Value)> Tags { get; } = [];

    public List<(string Name, MetricPoint Point)> Live { get; } = [];
}
