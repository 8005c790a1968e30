namespace Atlas.Core.Tracking;

/// <summary>One value of a metric: the job's step (if it gave one), the value, and the worker's time in unix ms.</summary>
public readonly record struct MetricPoint(long? Step, double Value, long Time);
