namespace Atlas.Core.Tracking;

/// <summary>One metric's points as columns; a step is null where the job gave none.</summary>
public sealed record MetricSeriesView(string Name, IReadOnlyList<long?> Steps, IReadOnlyList<double> Values, IReadOnlyList<long> Times);
