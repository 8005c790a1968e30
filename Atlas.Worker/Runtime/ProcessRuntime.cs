using System.Globalization;
using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using Atlas.Core.Posix;
using Atlas.Worker.Resources;
using Microsoft.Extensions.Options;

namespace Atlas.Worker.Runtime;

/// <summary>
/// Runs each job as a plain process on the node, without a shell, in its work folder: for
/// machines without Docker and for fast tests. It isolates nothing; the job runs as the worker's
/// user. The job sees its <see cref="JobLaunch.Environment"/>, <c>ATLAS_OUTPUT_DIR</c> (the host
/// path of its output folder) and the few of the node's variables a program needs to run
/// (<c>PATH</c>, <c>HOME</c>, locale); the worker's own settings and secrets are not passed on.
/// </summary>
public sealed class ProcessRuntime : IJobRuntime
{
    private static readonly string[] InheritedVariables = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR"];

    private readonly ProcessRuntimeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // Found once, when first needed (at registration): whether job cgroups can be made here.
    private readonly Lazy<CgroupLimits> _cgroups;

    public ProcessRuntime(IOptions<ProcessRuntimeOptions> options, TimeProvider timeProvider, ILogger<ProcessRuntime> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _cgroups = new(() => string.Equals(_options.Cgroups, "off", StringComparison.OrdinalIgnoreCase)
            ? CgroupLimits.None("turned off (Atlas:Worker:Process:Cgroups=off): job processes run without CPU or memory limits")
            : CgroupLimits.Probe(CgroupHierarchy.Read(), _options.CgroupRoot));
    }

    public string Name => "process";

    /// <summary>How job limits are enforced here: a cgroup per job, or not at all (and why).</summary>
    public CgroupLimits Cgroups => _cgroups.Value;

    /// <inheritdoc />
    public Task<(string Limits, string Note)> LimitsAsync(CancellationToken cancellationToken) =>
        Task.FromResult((Cgroups.Limits, Cgroups.Note));

    /// <inheritdoc />
    /// <remarks>
    /// Stopping sends SIGTERM to the job's process and every process below it, then, after the
    /// grace period, SIGKILL to those still alive. When <paramref name="stop"/> fires before the
    /// process has started, nothing runs and <see cref="OperationCanceledException"/> is thrown.
    /// </remarks>
    public async Task<int> RunAsync(JobLaunch launch, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(launch);
        stop.ThrowIfCancellationRequested();
        var startInfo = BuildStartInfo(launch);
        using var cgroup = EnterCgroup(launch, startInfo);
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
            await File.WriteAllTextAsync(PidFile(launch.WorkDir), process.Id.ToString(CultureInfo.InvariantCulture), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Win32Exception e)
        {
            throw new JobStartException($"{launch.Command[0]} could not be started: {e.Message}", e);
        }
        Log.ProcessStarted(_logger, launch.JobId, process.Id, startInfo.FileName);
        launch.Started?.Invoke();
        // The job reads no input: it gets end-of-file at once rather than waiting forever.
        process.StandardInput.Close();

        using var abandonOutput = new CancellationTokenSource();
        var stdout = PumpAsync(process.StandardOutput.BaseStream, OutputStream.Stdout, launch.Output, abandonOutput.Token);
        var stderr = PumpAsync(process.StandardError.BaseStream, OutputStream.Stderr, launch.Output, abandonOutput.Token);
        var exited = process.WaitForExitAsync(CancellationToken.None);
        try
        {
            var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (stop.Register(() => stopRequested.TrySetResult()))
            {
                if (await Task.WhenAny(exited, stopRequested.Task).ConfigureAwait(false) != exited)
                {
                    await StopAsync(launch.JobId, process, exited).ConfigureAwait(false);
                }
            }
            await exited.ConfigureAwait(false);

            // The pipes reach end-of-file once every holder has closed them, which is at once
            // unless the job left a background child behind: that one gets a bounded wait.
            var output = Task.WhenAll(stdout, stderr);
            var drained = Task.Delay(_options.OutputDrainTimeout, _time);
            if (await Task.WhenAny(output, drained).ConfigureAwait(false) != output)
            {
                Log.OutputAbandoned(_logger, launch.JobId);
                await abandonOutput.CancelAsync().ConfigureAwait(false);
            }
            try
            {
                await output.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (abandonOutput.IsCancellationRequested)
            {
            }
            if (cgroup?.OutOfMemoryKilled() == true)
            {
                launch.OutOfMemory?.Invoke();
            }
            return process.ExitCode;
        }
        finally
        {
            if (!process.HasExited)
            {
                // Leaving early (the output sink failed): the job must not outlive its run.
                process.Kill(entireProcessTree: true);
            }
            await abandonOutput.CancelAsync().ConfigureAwait(false);
            // Process.Dispose leaves the redirected pipes open; closed here, not by the finalizer
            // thread, which otherwise spent most of the worker's CPU closing them under load.
            process.StandardOutput.Dispose();
            process.StandardError.Dispose();
        }
    }

    /// <summary>
    /// Kills the processes an earlier life of this worker started: first those of these jobs,
    /// found by the pid file next to each job's work folder (a pid is only trusted while that
    /// process still carries the job's ATLAS_JOB_ID, so a reused pid is never killed); then every
    /// process that still carries this node's ATLAS_NODE and an ATLAS_OUTPUT_DIR under this
    /// cluster's jobs folder, so the job of an earlier life that was requeued and placed
    /// elsewhere meanwhile (its lease lapsed while the worker was down) is ended too, and no
    /// such job ever runs twice at once for long.
    /// </summary>
    public Task RemoveLeftoversAsync(IReadOnlyList<string> jobDirs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobDirs);
        KillEarlierLife();
        foreach (var jobDir in jobDirs)
        {
            var pidFile = Path.Combine(jobDir, "pid");
            if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            var jobId = Path.GetFileName(Path.TrimEndingDirectorySeparator(jobDir));
            if (CarriesJob(pid, jobId))
            {
                Log.LeftoverProcessKilled(_logger, jobId, pid);
                foreach (var child in ProcessTree.Below(pid).Pids)
                {
                    Signals.Kill(child);
                }
                Signals.Kill(pid);
            }
            File.Delete(pidFile);
        }
        return Task.CompletedTask;
    }

    private void KillEarlierLife()
    {
        if (_options.NodeName is null || _options.JobsRoot is null || !OperatingSystem.IsLinux())
        {
            return;
        }
        var node = $"ATLAS_NODE={_options.NodeName}";
        var under = $"ATLAS_OUTPUT_DIR={Path.TrimEndingDirectorySeparator(Path.GetFullPath(_options.JobsRoot))}/";
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            if (EnvironmentOf(pid) is { } environ && environ.Contains(node, StringComparer.Ordinal) && environ.Any(v => v.StartsWith(under, StringComparison.Ordinal)))
            {
                var job = environ.FirstOrDefault(v => v.StartsWith("ATLAS_JOB_ID=", StringComparison.Ordinal))?["ATLAS_JOB_ID=".Length..] ?? "?";
                Log.LeftoverProcessKilled(_logger, job, pid);
                Signals.Kill(pid);
            }
        }
    }

    /// <summary>
    /// With a CPU or memory limit and cgroups usable here, makes the job's cgroup and starts the
    /// job through a tiny <c>/bin/sh</c> step that writes its own pid into the cgroup and then
    /// execs the job's program (same pid), so the job and all it starts run inside from their
    /// first instruction. Null when the job runs without one.
    /// </summary>
    private JobCgroup? EnterCgroup(JobLaunch launch, ProcessStartInfo startInfo)
    {
        if ((launch.Cpus is null && launch.MemoryBytes is null) || !Cgroups.Enforced)
        {
            return null;
        }
        JobCgroup cgroup;
        try
        {
            cgroup = Cgroups.Create(launch.JobId, launch.Cpus, launch.MemoryBytes)!;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.CgroupFailed(_logger, launch.JobId, e.Message);
            return null;
        }
        var program = startInfo.FileName;
        var arguments = startInfo.ArgumentList.ToList();
        startInfo.FileName = "/bin/sh";
        startInfo.ArgumentList.Clear();
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 125; shift; done; shift; exec \"$@\"");
        startInfo.ArgumentList.Add("atlas-cgroup");
        foreach (var procs in cgroup.ProcsFiles)
        {
            startInfo.ArgumentList.Add(procs);
        }
        startInfo.ArgumentList.Add("--");
        startInfo.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        return cgroup;
    }

    // The job's pid file sits in its folder, next to the work folder.
    private static string PidFile(string workDir) => Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(workDir))!, "pid");

    private static bool CarriesJob(int pid, string jobId) =>
        EnvironmentOf(pid)?.Contains($"ATLAS_JOB_ID={jobId}", StringComparer.Ordinal) == true;

    // A process's environment as NAME=value entries; null when it is gone or not ours to read.
    private static string[]? EnvironmentOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private ProcessStartInfo BuildStartInfo(JobLaunch launch)
    {
        if (launch.Command.Count == 0 || string.IsNullOrWhiteSpace(launch.Command[0]))
        {
            throw new JobStartException("The job has no command.");
        }
        if (!Directory.Exists(launch.WorkDir))
        {
            throw new JobStartException($"The job's work folder {launch.WorkDir} does not exist.");
        }
        var startInfo = new ProcessStartInfo
        {
            WorkingDirectory = launch.WorkDir,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.Environment.Clear();
        foreach (var name in InheritedVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                startInfo.Environment[name] = value;
            }
        }
        foreach (var (name, value) in launch.Environment)
        {
            startInfo.Environment[name] = value;
        }
        // Only the assigned GPUs, and none for a job given none: a job cannot take a GPU that is another's.
        var gpus = string.Join(',', launch.GpuIds);
        startInfo.Environment["CUDA_VISIBLE_DEVICES"] = gpus;
        startInfo.Environment["NVIDIA_VISIBLE_DEVICES"] = gpus.Length > 0 ? gpus : "void";
        startInfo.Environment["ATLAS_OUTPUT_DIR"] = Path.GetFullPath(launch.OutputDir);
        if (launch.MetricsFileName is { } metrics)
        {
            startInfo.Environment["ATLAS_METRICS_FILE"] = Path.Combine(Path.GetFullPath(launch.WorkDir), metrics);
        }
        startInfo.FileName = ResolveProgram(launch.Command[0], launch.WorkDir, startInfo.Environment.TryGetValue("PATH", out var path) ? path : null);
        foreach (var argument in launch.Command.Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }
        return startInfo;
    }

    /// <summary>
    /// Finds the program as a shell would from the job's folder: a path with a slash is taken
    /// relative to the work folder, a bare name is looked up on the job's <c>PATH</c>.
    /// (.NET's own lookup would also search the worker's folder and current directory.)
    /// </summary>
    private static string ResolveProgram(string program, string workDir, string? path)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(program, Path.GetFullPath(workDir));
            return File.Exists(full)
                ? full
                : throw new JobStartException($"{program} could not be started: {full} does not exist.");
        }
        foreach (var dir in (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate) && IsExecutable(candidate))
            {
                return candidate;
            }
        }
        throw new JobStartException($"{program} could not be started: it is not found on PATH ({path}).");
    }

    private static bool IsExecutable(string file) =>
        OperatingSystem.IsWindows()
        || (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    private async Task StopAsync(string jobId, Process process, Task exited)
    {
        Log.Stopping(_logger, jobId, _options.StopGracePeriod);
        // Taken before the main process ends: its children are orphaned then and no longer
        // show as its descendants.
        var tree = ProcessTree.Below(process.Id);
        Signals.Terminate(process.Id);
        foreach (var pid in tree.Pids)
        {
            Signals.Terminate(pid);
        }
        var grace = Task.Delay(_options.StopGracePeriod, _time);
        if (await Task.WhenAny(exited, grace).ConfigureAwait(false) != exited)
        {
            Log.KillingAfterGrace(_logger, jobId, process.Id);
            process.Kill(entireProcessTree: true);
            await exited.ConfigureAwait(false);
        }
        else if (tree.Survivors().Any())
        {
            // The main process ended within the grace period; the ones that ignored SIGTERM
            // get the rest of it, as in a container, where the end of PID 1 ends them all.
            while (tree.Survivors().Any() && !grace.IsCompleted)
            {
                await Task.WhenAny(grace, Task.Delay(TimeSpan.FromMilliseconds(100), _time)).ConfigureAwait(false);
            }
        }
        foreach (var pid in tree.Survivors())
        {
            Signals.Kill(pid);
        }
    }

    private static async Task PumpAsync(Stream source, OutputStream stream, IJobOutput output, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await output.WriteAsync(stream, buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
