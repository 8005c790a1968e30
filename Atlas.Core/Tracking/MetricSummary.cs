namespace Atlas.Core.Tracking;

/// <summary>A metric at a glance: its last value (and that value's step), its smallest and its largest.</summary>
public sealed record MetricSummary(double Last, double Min, double Max, long? Step);
