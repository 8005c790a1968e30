namespace Atlas.Core.Jobs;

/// <summary>One swept parameter (<c>--sweep lr=0.1,0.01</c>): its name and its values, in order.</summary>
public sealed record SweepAxis(string Name, IReadOnlyList<string> Values);
