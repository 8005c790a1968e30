using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Atlas.Core;
using Atlas.Core.Containers;
using Atlas.Core.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Atlas.Worker.Runtime;

/// <summary>
/// Runs each job in its own container, named <c>atlas-{jobId}</c> and labelled with
/// <see cref="ContainerLabels"/>: the work folder mounted as the working directory, the output
/// folder at <c>/atlas/outputs</c>, hardened (no new privileges, no capabilities, a pid limit,
/// no Docker socket). The container is removed when the job ends, however it ends (after the
/// exit code is returned, so removal is off the job's critical path); one left by a crashed
/// worker is found by its labels, or replaced when the job runs again here.
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

    // Images seen on the engine: a job of a known image skips the inspect round trip. An image
    // removed since is found out at create (404) and ensured again.
    private readonly ConcurrentDictionary<string, bool> _knownImages = new(StringComparer.Ordinal);

    // Removals started after a job returned, by container name; Dispose waits for them, and a
    // create of the same name (the job running here again) waits for its own.
    private readonly ConcurrentDictionary<string, Task> _removals = new(StringComparer.Ordinal);

    public DockerRuntime(IOptions<DockerRuntimeOptions> options, ILogger<DockerRuntime> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _docker = DockerEngine.Connect(_options.Endpoint);
    }

    public string Name => "docker";

    /// <inheritdoc />
    /// <remarks>The engine sets them on each container; one that says it cannot (its kernel lacks the cgroup controllers) makes the node say none.</remarks>
    public async Task<(string Limits, string Note)> LimitsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var info = await _docker.System.GetSystemInfoAsync(cancellationToken).ConfigureAwait(false);
            var missing = new List<string>();
            if (!info.MemoryLimit)
            {
                missing.Add("memory");
            }
            if (!info.CPUCfsQuota)
            {
                missing.Add("CPU quota");
            }
            return missing.Count == 0
                ? (NodeLimits.Docker, $"the Docker Engine sets each job container's memory (no swap), CPU and pids limits (cgroup {info.CgroupVersion}, driver {info.CgroupDriver})")
                : (NodeLimits.None, $"the Docker Engine cannot enforce {string.Join(" and ", missing)} limits here (cgroup {info.CgroupVersion})");
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or TimeoutException)
        {
            return (NodeLimits.Docker, $"the Docker Engine sets each job container's limits (it did not answer at start: {e.Message})");
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// When <paramref name="stop"/> fires before the container has started, nothing runs and
    /// <see cref="OperationCanceledException"/> is thrown. Engine failures after the start
    /// (the engine restarting) surface as <see cref="DockerApiException"/> or <see cref="IOException"/>.
    /// </remarks>
    public async Task<int> RunAsync(JobLaunch launch, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(launch);
        if (launch.Command.Count == 0)
        {
            throw new JobStartException("The job has no command.");
        }
        stop.ThrowIfCancellationRequested();
        var image = string.IsNullOrWhiteSpace(launch.Image) ? _options.DefaultImage : launch.Image;
        await EnsureImageAsync(launch, image, stop).ConfigureAwait(false);

        var spec = BuildSpec(launch, image);
        string containerId;
        try
        {
            containerId = await CreateAsync(launch, spec, stop).ConfigureAwait(false);
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
            // The outcome does not wait for the removal; the name is free again before the
            // same job could run here again (a requeue goes through the queue first), and a
            // create that still finds it replaces it.
            var name = spec.Name!;
            var removal = RemoveAsync(launch.JobId, containerId);
            _removals[name] = removal;
            _ = removal.ContinueWith(done => _removals.TryRemove(new KeyValuePair<string, Task>(name, done)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Removes every container of this node and cluster: when the worker starts, none of them
    /// can belong to a running job of its own, so each is left by an earlier life of it.
    /// </summary>
    public async Task RemoveLeftoversAsync(IReadOnlyList<string> jobDirs, CancellationToken cancellationToken)
    {
        var filters = new Dictionary<string, IDictionary<string, bool>>
        {
            ["label"] = new Dictionary<string, bool>
            {
                [$"{ContainerLabels.Node}={_options.NodeName}"] = true,
                [$"{ContainerLabels.Cluster}={_options.Cluster}"] = true,
            },
        };
        try
        {
            var containers = await _docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filters }, cancellationToken).ConfigureAwait(false);
            foreach (var container in containers)
            {
                Log.LeftoverContainerRemoved(_logger, (container.Labels is { } labels && labels.TryGetValue(ContainerLabels.Job, out var job) ? job : "?"), container.ID);
                await _docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            Log.LeftoversUnknown(_logger, e);
        }
    }

    public void Dispose()
    {
        // Removals of finished jobs are bounded by RemoveTimeout each.
        Task.WaitAll([.. _removals.Values]);
        _docker.Dispose();
    }

    private async Task EnsureImageAsync(JobLaunch launch, string image, CancellationToken stop)
    {
        using var activity = AtlasTelemetry.ActivitySource.StartActivity("job.pull");
        TagJob(activity, launch);
        activity?.SetTag("atlas.image", image);
        if (_knownImages.ContainsKey(image))
        {
            activity?.SetTag("atlas.image.cached", true);
            return;
        }
        try
        {
            try
            {
                await _docker.Images.InspectImageAsync(image, stop).ConfigureAwait(false);
                _knownImages[image] = true;
                return;
            }
            catch (DockerImageNotFoundException)
            {
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
            }
            Log.PullingImage(_logger, launch.JobId, image);
            activity?.SetTag("atlas.image.pulled", true);
            var (name, tag) = SplitReference(image);
            var errors = new PullErrors();
            await _docker.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = name, Tag = tag }, null, errors, stop).ConfigureAwait(false);
            if (errors.First is { } reason)
            {
                throw new JobStartException($"Image {image} is not on this node and could not be pulled: {reason}");
            }
            _knownImages[image] = true;
        }
        catch (DockerApiException e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw new JobStartException($"Image {image} is not on this node and could not be pulled: {DockerEngine.Reason(e)}", e);
        }
        catch (JobStartException e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
    }

    /// <summary>
    /// Splits an image reference into the <c>fromImage</c> and <c>tag</c> of a pull: the tag
    /// (or digest) after the name, <c>latest</c> when there is none. Without a tag the engine
    /// would pull every tag of the repository.
    /// </summary>
    internal static (string Name, string Tag) SplitReference(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return (image[..at], image[(at + 1)..]);
        }
        var colon = image.LastIndexOf(':');
        // A colon before the last slash belongs to a registry port (localhost:5000/app).
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    // The job attributes of SPANS.md, from what the executor put in the job's environment.
    private static void TagJob(Activity? activity, JobLaunch launch)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag("atlas.job.id", launch.JobId);
        activity.SetTag("atlas.job.attempt", launch.Environment.GetValueOrDefault("ATLAS_ATTEMPT"));
        activity.SetTag("atlas.node", launch.Environment.GetValueOrDefault("ATLAS_NODE"));
        activity.SetTag("atlas.job.fence", launch.Environment.GetValueOrDefault("ATLAS_FENCE"));
    }

    internal CreateContainerParameters BuildSpec(JobLaunch launch, string image)
    {
        var environment = launch.Environment
            .Where(pair => pair.Key is not ("ATLAS_OUTPUT_DIR" or "ATLAS_METRICS_FILE" or "NVIDIA_VISIBLE_DEVICES" or "CUDA_VISIBLE_DEVICES"))
            .Append(new("ATLAS_OUTPUT_DIR", OutputMountPath))
            .Concat(launch.MetricsFileName is { } metrics ? [new("ATLAS_METRICS_FILE", $"{WorkMountPath}/{metrics}")] : Array.Empty<KeyValuePair<string, string>>())
            // An image built for GPUs often says NVIDIA_VISIBLE_DEVICES=all: on an engine whose default
            // runtime is nvidia's, that alone would hand the job every GPU. Only the assigned ones.
            .Append(new("NVIDIA_VISIBLE_DEVICES", launch.GpuIds.Count > 0 ? string.Join(',', launch.GpuIds) : "void"))
            .Select(pair => $"{pair.Key}={pair.Value}")
            .ToList();
        var memory = launch.MemoryBytes ?? _options.MemoryBytes ?? 0;
        return new CreateContainerParameters
        {
            Name = $"atlas-{launch.JobId}",
            Image = image,
            Cmd = [.. launch.Command],
            Env = environment,
            WorkingDir = WorkMountPath,
            Labels = new Dictionary<string, string>
            {
                [ContainerLabels.Job] = launch.JobId,
                [ContainerLabels.Node] = _options.NodeName,
                [ContainerLabels.Cluster] = _options.Cluster,
            },
            HostConfig = new HostConfig
            {
                Binds =
                [
                    $"{Path.GetFullPath(launch.WorkDir)}:{WorkMountPath}",
                    $"{Path.GetFullPath(launch.OutputDir)}:{OutputMountPath}",
                ],
                NetworkMode = _options.Network,
                SecurityOpt = ["no-new-privileges"],
                CapDrop = ["ALL"],
                PidsLimit = _options.PidsLimit,
                // The job's own request first, else the node's default for every job.
                Memory = memory,
                // Swap equal to memory: the limit is a limit, not a push into swap.
                MemorySwap = memory,
                NanoCPUs = launch.Cpus is { } cpus ? (long)Math.Round(cpus * 1_000_000_000) : _options.NanoCpus ?? 0,
                // Exactly the GPUs assigned to this attempt, by id.
                DeviceRequests = launch.GpuIds.Count == 0 ? [] :
                [
                    new DeviceRequest { Driver = "nvidia", DeviceIDs = [.. launch.GpuIds], Capabilities = [["gpu"]] },
                ],
                // PID 1 gets no default signal handlers from the kernel; a tiny init forwards
                // SIGTERM to the job and reaps its zombies.
                Init = true,
            },
        };
    }

    private async Task<string> CreateAsync(JobLaunch launch, CreateContainerParameters spec, CancellationToken stop)
    {
        if (_removals.TryGetValue(spec.Name!, out var removal))
        {
            await removal.WaitAsync(stop).ConfigureAwait(false);
        }
        try
        {
            return (await _docker.Containers.CreateContainerAsync(spec, stop).ConfigureAwait(false)).ID;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // The name is taken: a worker crashed while this job ran here before. That attempt
            // is over (the job was handed out again), so its container goes.
            Log.ReplacingLeftover(_logger, launch.JobId, spec.Name!);
            await _docker.Containers.RemoveContainerAsync(spec.Name!, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, stop).ConfigureAwait(false);
            return await CreateOrExplainAsync(spec, stop).ConfigureAwait(false);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // The image was known but has been removed since: ensure it again.
            _knownImages.TryRemove(spec.Image, out _);
            await EnsureImageAsync(launch, spec.Image, stop).ConfigureAwait(false);
            return await CreateOrExplainAsync(spec, stop).ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            throw new JobStartException($"The container could not be created: {DockerEngine.Reason(e)}", e);
        }
    }

    private async Task<string> CreateOrExplainAsync(CreateContainerParameters spec, CancellationToken stop)
    {
        try
        {
            return (await _docker.Containers.CreateContainerAsync(spec, stop).ConfigureAwait(false)).ID;
        }
        catch (DockerApiException e)
        {
            throw new JobStartException($"The container could not be created: {DockerEngine.Reason(e)}", e);
        }
    }

    private async Task<int> RunContainerAsync(JobLaunch launch, string containerId, string image, CancellationToken stop)
    {
        // Cancelled only when this method leaves early, so the outstanding calls do not linger.
        using var abandon = new CancellationTokenSource();
        // Attached before the start, the stream carries every byte the container writes and
        // ends once it has exited and all is copied: no second read of the log is needed.
        var attached = await _docker.Containers.AttachContainerAsync(
            containerId,
            new ContainerAttachParameters { Stream = true, Stdout = true, Stderr = true },
            stop).ConfigureAwait(false);
        using var stream = attached;
        try
        {
            await _docker.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), stop).ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            // Without an init the engine execs the command here, and a program missing from the
            // image fails here; with one, InitExecProbe tells it from the output.
            throw new JobStartException($"The container did not start: {DockerEngine.Reason(e)}", e);
        }
        Log.ContainerStarted(_logger, launch.JobId, containerId, image);
        launch.Started?.Invoke();

        var output = new InitExecProbe(launch.Output);
        var copied = CopyOutputAsync(stream, output, abandon.Token);
        var exited = _docker.Containers.WaitContainerAsync(containerId, abandon.Token);
        try
        {
            var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (stop.Register(() => stopRequested.TrySetResult()))
            {
                if (await Task.WhenAny(exited, stopRequested.Task).ConfigureAwait(false) != exited)
                {
                    Log.Stopping(_logger, launch.JobId, _options.StopGracePeriod);
                    var seconds = (uint)Math.Ceiling(Math.Max(0, _options.StopGracePeriod.TotalSeconds));
                    await _docker.Containers.StopContainerAsync(containerId, new ContainerStopParameters { WaitBeforeKillSeconds = seconds }, abandon.Token).ConfigureAwait(false);
                }
            }
            var exitCode = (await exited.ConfigureAwait(false)).StatusCode;
            await copied.ConfigureAwait(false);
            if (output.ExecFailure(exitCode) is { } reason)
            {
                throw new JobStartException($"The container did not start: {reason}");
            }
            if (exitCode != 0 && await OutOfMemoryKilledAsync(containerId, abandon.Token).ConfigureAwait(false))
            {
                launch.OutOfMemory?.Invoke();
            }
            return (int)exitCode;
        }
        finally
        {
            await abandon.CancelAsync().ConfigureAwait(false);
            await ObserveAsync(copied).ConfigureAwait(false);
            await ObserveAsync(exited).ConfigureAwait(false);
        }
    }

    // The engine records a kill by the kernel's OOM killer in the container's state.
    private async Task<bool> OutOfMemoryKilledAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            return (await _docker.Containers.InspectContainerAsync(containerId, cancellationToken).ConfigureAwait(false)).State?.OOMKilled == true;
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            return false;
        }
    }

    private static async Task CopyOutputAsync(MultiplexedStream stream, IJobOutput output, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            if (read.EOF)
            {
                return;
            }
            var kind = read.Target == MultiplexedStream.TargetStream.StandardError ? OutputStream.Stderr : OutputStream.Stdout;
            await output.WriteAsync(kind, buffer.AsMemory(0, read.Count), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RemoveAsync(string jobId, string containerId)
    {
        using var timeout = new CancellationTokenSource(RemoveTimeout);
        try
        {
            await _docker.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, timeout.Token).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or OperationCanceledException)
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
        catch (Exception e) when (e is OperationCanceledException or DockerApiException or IOException or HttpRequestException)
        {
        }
    }
}
