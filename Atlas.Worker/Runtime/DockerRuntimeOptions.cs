namespace Atlas.Worker.Runtime;

/// <summary>How <see cref="DockerRuntime"/> runs jobs in containers.</summary>
public sealed class DockerRuntimeOptions
{
    /// <summary>
    /// The Docker Engine address (<c>unix:///var/run/docker.sock</c>, <c>tcp://host:2375</c>);
    /// when empty, <c>DOCKER_HOST</c>, then the usual socket.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>The image of jobs that name none.</summary>
    public string DefaultImage { get; set; } = "python:3.12-slim";

    /// <summary>The network jobs join: <c>bridge</c> (outbound access), <c>none</c>, or a network's name.</summary>
    public string Network { get; set; } = "bridge";

    /// <summary>Most processes one job may run at once, so a fork bomb stays inside its job.</summary>
    public long PidsLimit { get; set; } = 1024;

    /// <summary>Memory limit per job in bytes; none when null.</summary>
    public long? MemoryBytes { get; set; }

    /// <summary>CPU limit per job in billionths of a CPU (2 CPUs = 2_000_000_000); none when null.</summary>
    public long? NanoCpus { get; set; }

    /// <summary>How long a stopped job has between SIGTERM and SIGKILL (whole seconds; rounded up).</summary>
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>This node's name, put on its containers as the <c>atlas.node</c> label.</summary>
    public string NodeName { get; set; } = Environment.MachineName;

    /// <summary>The cluster's id, put on its containers as the <c>atlas.cluster</c> label.</summary>
    public string Cluster { get; set; } = "atlas";
}
