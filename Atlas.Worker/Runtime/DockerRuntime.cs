using System.Net;
using Atlas.Core.Docker;
using Microsoft.Extensions.Options;

namespace Atlas.Worker.Runtime;

/// <summary>
/// Runs each job in its own container, named <c>atlas-{jobId}</c> and labelled with
/// <see cref="ContainerLabels"/>: the work folder mounted as the working directory, the output
/// folder at <c>/atlas/outputs</c>, hardened (no new privileges, no capabilities, a pid limit,
/// no Docker socket). The container is removed when the job ends, however it ends; one left by
/// a crashed worker is found by its labels, or replaced when the job runs again here.
/// </summary>
public sealed class DockerRuntime : IJobRuntime, IDisposable
{
    /// <summary>Where the job's work folder is mounted; also its working directory.</summary>
    public const string WorkMountPath = "/atlas/work";

    /// <summary>Where the job's output folder is mounted; <c>ATLAS_OUTPUT_DIR</c> inside the container.</summary>
    public const string OutputMountPath = "/atlas/outputs";

    // Removal runs after the job whatever happened, so it cannot use the job's token; this
    // bounds it instead when the engine hangs.
    private static readonly TimeSpan RemoveTimeout = TimeSpan.FromSeconds(30);

    private readonly DockerRuntimeOptions _options;
    private readonly ILogger _logger;
    private readonly DockerClient _docker;

    public DockerRuntime(IOptions<DockerRuntimeOptions> options, ILogger<DockerRuntime> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _docker = new DockerClient(DockerEndpoint.Resolve(_options.Endpoint));
    }

    public string Name => "docker";

    /// <inheritdoc />
    /// <remarks>
    /// When <paramref name="stop"/> fires before the container has started, nothing runs and
    /// <see cref="OperationCanceledException"/> is thrown. Engine failures after the start
    /// (the engine restarting) surface as <see cref="DockerException"/>.
    /// </remarks>
    public async Task<int> RunAsync(JobLaunch launch, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(launch);
        if (launch.Command.Count == 0)
        {
            throw new JobStartException("The job has no command.");
        }
        var image = string.IsNullOrWhiteSpace(launch.Image) ? _options.DefaultImage : launch.Image;
        await EnsureImageAsync(launch.JobId, image, stop).ConfigureAwait(false);

        var spec = BuildSpec(launch, image);
        string containerId;
        try
        {
            containerId = await CreateAsync(launch.JobId, spec, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The engine may have created it before the request was dropped.
            await RemoveAsync(launch.JobId, spec.Name!).ConfigureAwait(false);
            throw;
        }

        try
        {
            return await RunContainerAsync(launch, containerId, image, stop).ConfigureAwait(false);
        }
        finally
        {
            await RemoveAsync(launch.JobId, containerId).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Removes every container of this node and cluster: when the worker starts, none of them
    /// can belong to a running job of its own, so each is left by an earlier life of it.
    /// </summary>
    public async Task RemoveLeftoversAsync(IReadOnlyList<string> jobDirs, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, string> { [ContainerLabels.Node] = _options.NodeName, [ContainerLabels.Cluster] = _options.Cluster };
        try
        {
            foreach (var container in await _docker.ListContainersAsync(labels, all: true, cancellationToken).ConfigureAwait(false))
            {
                Log.LeftoverContainerRemoved(_logger, container.Labels.GetValueOrDefault(ContainerLabels.Job) ?? "?", container.Id);
                await _docker.RemoveContainerAsync(container.Id, force: true, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (DockerException e)
        {
            Log.LeftoversUnknown(_logger, e);
        }
    }

    public void Dispose() => _docker.Dispose();

    private async Task EnsureImageAsync(string jobId, string image, CancellationToken stop)
    {
        try
        {
            if (await _docker.ImageExistsAsync(image, stop).ConfigureAwait(false))
            {
                return;
            }
            Log.PullingImage(_logger, jobId, image);
            await _docker.PullImageAsync(image, stop).ConfigureAwait(false);
        }
        catch (DockerException e)
        {
            throw new JobStartException($"Image {image} is not on this node and could not be pulled: {e.Message}", e);
        }
    }

    private ContainerSpec BuildSpec(JobLaunch launch, string image)
    {
        var environment = launch.Environment
            .Where(pair => pair.Key != "ATLAS_OUTPUT_DIR")
            .Append(new("ATLAS_OUTPUT_DIR", OutputMountPath))
            .ToDictionary();
        return new ContainerSpec(image, launch.Command)
        {
            Name = $"atlas-{launch.JobId}",
            Environment = environment,
            WorkingDir = WorkMountPath,
            Labels = new Dictionary<string, string>
            {
                [ContainerLabels.Job] = launch.JobId,
                [ContainerLabels.Node] = _options.NodeName,
                [ContainerLabels.Cluster] = _options.Cluster,
            },
            Binds =
            [
                new ContainerBind(Path.GetFullPath(launch.WorkDir), WorkMountPath),
                new ContainerBind(Path.GetFullPath(launch.OutputDir), OutputMountPath),
            ],
            NetworkMode = _options.Network,
            SecurityOpt = ["no-new-privileges"],
            CapDrop = ["ALL"],
            PidsLimit = _options.PidsLimit,
            MemoryBytes = _options.MemoryBytes,
            NanoCpus = _options.NanoCpus,
            // PID 1 gets no default signal handlers from the kernel; a tiny init forwards
            // SIGTERM to the job and reaps its zombies.
            Init = true,
        };
    }

    private async Task<string> CreateAsync(string jobId, ContainerSpec spec, CancellationToken stop)
    {
        try
        {
            return await _docker.CreateContainerAsync(spec, stop).ConfigureAwait(false);
        }
        catch (DockerException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // The name is taken: a worker crashed while this job ran here before. That attempt
            // is over (the job was handed out again), so its container goes.
            Log.ReplacingLeftover(_logger, jobId, spec.Name!);
            await _docker.RemoveContainerAsync(spec.Name!, force: true, stop).ConfigureAwait(false);
            return await CreateOrExplainAsync(spec, stop).ConfigureAwait(false);
        }
        catch (DockerException e)
        {
            throw new JobStartException($"The container could not be created: {e.Message}", e);
        }
    }

    private async Task<string> CreateOrExplainAsync(ContainerSpec spec, CancellationToken stop)
    {
        try
        {
            return await _docker.CreateContainerAsync(spec, stop).ConfigureAwait(false);
        }
        catch (DockerException e)
        {
            throw new JobStartException($"The container could not be created: {e.Message}", e);
        }
    }

    private async Task<int> RunContainerAsync(JobLaunch launch, string containerId, string image, CancellationToken stop)
    {
        try
        {
            await _docker.StartContainerAsync(containerId, stop).ConfigureAwait(false);
        }
        catch (DockerException e)
        {
            // Without an init the engine execs the command here, and a program missing from the
            // image fails here; with one, InitExecProbe tells it from the output.
            throw new JobStartException($"The container did not start: {e.Message}", e);
        }
        Log.ContainerStarted(_logger, launch.JobId, containerId, image);

        // Cancelled only when this method leaves early, so the outstanding calls do not linger.
        using var abandon = new CancellationTokenSource();
        var output = new InitExecProbe(launch.Output);
        var delivered = new long[3]; // bytes delivered per stream, indexed by LogStream (1 and 2)
        var logs = _docker.StreamLogsAsync(
            containerId,
            follow: true,
            (kind, data) =>
            {
                delivered[(int)kind] += data.Length;
                return output.WriteAsync(ToOutput(kind), data, abandon.Token);
            },
            abandon.Token);
        var exited = _docker.WaitContainerAsync(containerId, abandon.Token);
        try
        {
            var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (stop.Register(() => stopRequested.TrySetResult()))
            {
                if (await Task.WhenAny(exited, stopRequested.Task).ConfigureAwait(false) != exited)
                {
                    Log.Stopping(_logger, launch.JobId, _options.StopGracePeriod);
                    await _docker.StopContainerAsync(containerId, _options.StopGracePeriod, abandon.Token).ConfigureAwait(false);
                }
            }
            var exitCode = await exited.ConfigureAwait(false);
            // With follow, the log stream ends once the container has stopped, but it can end a
            // moment before the engine's log driver has written the last output of a container
            // that exited at once: a plain read of the finished log brings what is missing.
            await logs.ConfigureAwait(false);
            await _docker.StreamLogsAsync(containerId, follow: false, (kind, data) =>
            {
                var seen = delivered[(int)kind];
                delivered[(int)kind] = Math.Max(seen - data.Length, 0);
                return seen >= data.Length ? ValueTask.CompletedTask : output.WriteAsync(ToOutput(kind), data[(int)seen..], abandon.Token);
            }, abandon.Token).ConfigureAwait(false);
            if (output.ExecFailure(exitCode) is { } reason)
            {
                throw new JobStartException($"The container did not start: {reason}");
            }
            return (int)exitCode;
        }
        finally
        {
            await abandon.CancelAsync().ConfigureAwait(false);
            await ObserveAsync(logs).ConfigureAwait(false);
            await ObserveAsync(exited).ConfigureAwait(false);
        }
    }

    private static OutputStream ToOutput(LogStream kind) => kind == LogStream.Stderr ? OutputStream.Stderr : OutputStream.Stdout;

    private async Task RemoveAsync(string jobId, string containerId)
    {
        using var timeout = new CancellationTokenSource(RemoveTimeout);
        try
        {
            await _docker.RemoveContainerAsync(containerId, force: true, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DockerException or OperationCanceledException)
        {
            Log.RemoveFailed(_logger, e, jobId, containerId);
        }
    }

    // Waits for a task that was abandoned; its failure, if any, was already reported another way.
    private static async Task ObserveAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or DockerException or IOException)
        {
        }
    }
}
