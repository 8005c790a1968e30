namespace Atlas.Core.Docker;

/// <summary>
/// A container to create. Nothing here enables a TTY or stdin: logs are always the
/// multiplexed stdout/stderr stream <see cref="DockerClient.StreamLogsAsync"/> expects.
/// </summary>
/// <param name="Image">The image reference, e.g. <c>python:3.12-slim</c>.</param>
/// <param name="Command">The program and its arguments, run without a shell.</param>
public sealed record ContainerSpec(string Image, IReadOnlyList<string> Command)
{
    /// <summary>The container's name; the engine picks one when null.</summary>
    public string? Name { get; init; }

    /// <summary>Environment variables, on top of the image's.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The working directory inside the container; the image's when null.</summary>
    public string? WorkingDir { get; init; }

    /// <summary>Labels, e.g. <see cref="ContainerLabels"/>.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Host folders to mount.</summary>
    public IReadOnlyList<ContainerBind> Binds { get; init; } = [];

    /// <summary><c>bridge</c>, <c>none</c>, <c>host</c> or a network's name; the engine's default when null.</summary>
    public string? NetworkMode { get; init; }

    /// <summary>Security options, e.g. <c>no-new-privileges</c>.</summary>
    public IReadOnlyList<string> SecurityOpt { get; init; } = [];

    /// <summary>Linux capabilities to drop, e.g. <c>ALL</c>.</summary>
    public IReadOnlyList<string> CapDrop { get; init; } = [];

    /// <summary>Most processes the container may hold at once; unlimited when null.</summary>
    public long? PidsLimit { get; init; }

    /// <summary>Memory limit in bytes (swap included, so the job cannot swap past it); unlimited when null.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>CPU limit in billionths of a CPU (1.5 CPUs = 1_500_000_000); unlimited when null.</summary>
    public long? NanoCpus { get; init; }

    /// <summary>Run a tiny init as PID 1, so that signals reach the job and zombies are reaped.</summary>
    public bool Init { get; init; }
}
