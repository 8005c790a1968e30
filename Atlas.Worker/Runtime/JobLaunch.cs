namespace Atlas.Worker.Runtime;

/// <summary>Everything a runtime needs to start one job.</summary>
/// <param name="JobId">The job's id; containers are named and labelled with it.</param>
/// <param name="Image">The image asked for, or null for the runtime's default (docker only).</param>
/// <param name="Command">The program and its arguments.</param>
/// <param name="Environment">Variables for the job, ATLAS_JOB_ID and ATLAS_PROJECT included;
/// the runtime adds ATLAS_OUTPUT_DIR as the job sees it.</param>
/// <param name="WorkDir">Host path of <c>jobs/{id}/work</c>: the job's working directory.</param>
/// <param name="OutputDir">Host path of <c>jobs/{id}/artifacts</c>.</param>
/// <param name="Output">Where stdout and stderr go, as they are written.</param>
public sealed record JobLaunch(
    string JobId,
    string? Image,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Environment,
    string WorkDir,
    string OutputDir,
    IJobOutput Output)
{
    /// <summary>
    /// Called once when the job's process or container has started, before its exit is awaited:
    /// where the worker's <c>job.start</c> span ends and <c>job.run</c> begins. Null for none.
    /// </summary>
    public Action? Started { get; init; }

    /// <summary>
    /// A file name in <see cref="WorkDir"/> the job appends its reports to; the runtime sets
    /// <c>ATLAS_METRICS_FILE</c> to it as the job sees it. Null for none.
    /// </summary>
    public string? MetricsFileName { get; init; }

    /// <summary>The GPU ids assigned to this attempt (JobView.GpuIds): the only GPUs the job may see; empty for none.</summary>
    public IReadOnlyList<string> GpuIds { get; init; } = [];

    /// <summary>CPU cores the job may use; null for no limit.</summary>
    public double? Cpus { get; init; }

    /// <summary>Memory the job may use, in bytes; null for no limit.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>Called when the job ended because it went over its memory limit (the kernel killed it); null for none.</summary>
    public Action? OutOfMemory { get; init; }
}
