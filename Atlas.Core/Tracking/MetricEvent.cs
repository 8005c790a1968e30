namespace Atlas.Core.Tracking;

/// <summary>One point of the live feed, the data of one server-sent event.</summary>
public sealed record MetricEvent(string Name, long? Step, double Value, long Time);
