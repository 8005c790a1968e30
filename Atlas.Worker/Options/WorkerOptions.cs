namespace Atlas.Worker.Options;

/// <summary>The worker's settings, section <c>Atlas:Worker</c> (e.g. <c>Atlas__Worker__Slots=2</c>).</summary>
public sealed class WorkerOptions
{
    public const string Section = "Atlas:Worker";

    /// <summary>The node's unique name; the machine name by default.</summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>Where the gateway reaches this node (<c>HOST_ADDRESS</c>), e.g. <c>http://10.0.0.5:7000</c>.</summary>
    public string? Address { get; set; }

    /// <summary>How many jobs run here at once (<c>NUM_WORKERS</c>); 0 makes a node that takes no work.</summary>
    public int Slots { get; set; } = Environment.ProcessorCount;

    /// <summary><c>docker</c> or <c>process</c>.</summary>
    public string Runtime { get; set; } = "docker";

    /// <summary>How often the node renews its liveness and its jobs' leases (the shared <c>Atlas:LeaseSeconds</c>): at most half the lease.</summary>
    public double HeartbeatSeconds { get; set; } = 5;

    /// <summary>
    /// How often the node looks at its assignments without being woken. Assignments normally
    /// arrive by pub/sub at once; this only covers a message lost while Redis was unreachable.
    /// </summary>
    public double InboxCheckSeconds { get; set; } = 2;

    /// <summary>
    /// On SIGTERM the node drains: it takes no new work and gives running jobs this long to
    /// finish before it stops them and hands them back to the queue.
    /// </summary>
    public double DrainGraceSeconds { get; set; } = 30;

    /// <summary>
    /// The node's GPU ids, comma-separated (<c>Atlas__Worker__Gpus=0,1</c>): declared for machines
    /// and tests without nvidia-smi. When unset, GPUs are found with <see cref="NvidiaSmi"/>.
    /// </summary>
    public string? Gpus { get; set; }

    /// <summary>CPU cores offered to jobs (<c>8</c>, <c>7.5</c>); read from the machine (and the worker's cgroup) when unset.</summary>
    public string? Cpus { get; set; }

    /// <summary>Memory offered to jobs (<c>64g</c>); read from the machine (and the worker's cgroup) when unset.</summary>
    public string? Memory { get; set; }

    /// <summary>The nvidia-smi program that finds the node's GPUs; a missing one means no GPU.</summary>
    public string NvidiaSmi { get; set; } = "nvidia-smi";

    /// <summary>How long nvidia-smi may take before the node registers without GPUs.</summary>
    public double NvidiaSmiTimeoutSeconds { get; set; } = 15;

    /// <summary>The declared GPU ids (<see cref="Gpus"/>), in order; empty when none are declared.</summary>
    public IReadOnlyList<string> DeclaredGpus =>
        [.. (Gpus ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    public TimeSpan DrainGrace => TimeSpan.FromSeconds(DrainGraceSeconds);

    public TimeSpan Heartbeat => TimeSpan.FromSeconds(HeartbeatSeconds);

    /// <summary>The node counts as alive this long after a heartbeat: three missed beats mark it down.</summary>
    public TimeSpan AliveFor => TimeSpan.FromSeconds(HeartbeatSeconds * 3);
}
