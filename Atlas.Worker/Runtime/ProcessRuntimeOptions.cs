namespace Atlas.Worker.Runtime;

/// <summary>How <see cref="ProcessRuntime"/> runs jobs as processes on the node.</summary>
public sealed class ProcessRuntimeOptions
{
    /// <summary>How long a stopped job has between SIGTERM and SIGKILL.</summary>
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long output is still read after the job's process has ended, for background children
    /// that inherited its stdout or stderr and keep it open.
    /// </summary>
    public TimeSpan OutputDrainTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
