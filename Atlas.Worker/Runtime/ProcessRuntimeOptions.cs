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

    /// <summary>
    /// This node's name (set from <c>Atlas:Worker:Name</c>): with <see cref="JobsRoot"/>, how a
    /// restarted worker recognises every process its earlier life started, whatever became of
    /// their jobs. Null turns that sweep off (only the pid files are used).
    /// </summary>
    public string? NodeName { get; set; }

    /// <summary>
    /// <c>auto</c> (default): a job's CPU and memory limits go through a cgroup of its own where
    /// the worker can make one (cgroup v2, else v1); <c>off</c>: never (the node says limits=none).
    /// </summary>
    public string Cgroups { get; set; } = "auto";

    /// <summary>The cgroup v2 folder job cgroups are made in; the worker's own cgroup when unset.</summary>
    public string? CgroupRoot { get; set; }

    /// <summary>The shared volume's <c>jobs/</c> folder (set from <c>Atlas:SharedRoot</c>): tells this cluster's jobs from another's.</summary>
    public string? JobsRoot { get; set; }
}
