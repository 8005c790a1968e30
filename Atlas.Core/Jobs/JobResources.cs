namespace Atlas.Core.Jobs;

/// <summary>
/// What one job needs on its node, beside the one slot every job takes (<c>atlas submit --gpus N --cpus C --memory 8g</c>).
/// Unset CPU and memory mean no limit unless the cluster sets a default.
/// </summary>
public sealed record JobResources
{
    /// <summary>Whole GPUs, each given to this job alone; 0 by default.</summary>
    public int Gpus { get; init; }

    /// <summary>CPU cores, fractions allowed (0.5); null for no limit.</summary>
    public double? Cpus { get; init; }

    /// <summary>Memory in bytes; null for no limit.</summary>
    public long? MemoryBytes { get; init; }
}
