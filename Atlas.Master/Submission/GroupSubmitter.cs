using System.Diagnostics;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Jobs;
using Atlas.Core.SharedVolume;
using Atlas.Core.Storage;
using Atlas.Core.Telemetry;
using Atlas.Master.Options;
using Microsoft.Extensions.Options;

namespace Atlas.Master.Submission;

/// <summary>
/// The group half of a submit (<see cref="JobSubmitter"/> reads and checks the body, and
/// unpacks the bundle once): expands the group into its jobs, checks each, stores the bundle
/// once in <c>groups/{g}/</c>, gives each job its own <c>jobs/{id}/</c> with a copy of the
/// unpacked project, and records all of them in one Redis step. A refusal or a failure at any
/// point removes every folder it made, so a group is all of its jobs or none.
/// </summary>
public sealed class GroupSubmitter(
    MasterJobStore store, JobReader reader, JobPaths paths, AtlasMetrics metrics, IOptions<MasterOptions> options, TimeProvider time, ILogger<JobSubmitter> logger)
{
    /// <summary>Field names and messages when <paramref name="group"/> cannot be expanded; empty when it can.</summary>
    public Dictionary<string, string[]> Validate(JobSpec template, GroupSpec group) =>
        GroupExpander.Validate(template, group, options.Value.MaxGroupJobs);

    /// <summary>
    /// Records the group. <paramref name="staging"/> holds the unpacked <c>work/</c> and, when one
    /// was sent, <c>bundle.tar.gz</c>; the caller removes it afterwards.
    /// </summary>
    public async Task<SubmitResult> SubmitAsync(
        JobSpec template, GroupSpec group, string staging, JobOwner owner, string? idempotencyKey, Activity? activity, CancellationToken cancellationToken)
    {
        var specs = GroupExpander.Expand(template, group);
        for (var i = 0; i < specs.Count; i++)
        {
            // ATLAS_ARRAY_INDEX is Atlas's own variable: the checks see the job's spec without it.
            var errors = JobSpecValidator.Validate(specs[i] with { Env = template.Env });
            if (errors.Count > 0)
            {
                return SubmitResult.Invalid(errors.ToDictionary(e => e.Key, e => e.Value.Select(m => $"job {i + 1} of the group: {m}").ToArray()));
            }
        }

        var now = time.GetUtcNow();
        var groupId = GroupId.New(now);
        activity?.SetTag("atlas.group.id", groupId);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var jobs = new List<(string Id, JobSpec Spec)>(specs.Count);
        foreach (var spec in specs)
        {
            string id;
            do
            {
                // Ids in the group's order, so jobs of equal priority are placed in that order.
                id = JobId.New(now.AddMilliseconds(jobs.Count));
            }
            while (!taken.Add(id));
            jobs.Add((id, spec));
        }

        var made = new List<string>();
        try
        {
            var groupDir = paths.Group(groupId);
            made.Add(groupDir);
            Directory.CreateDirectory(groupDir);
            var bundle = Path.Combine(staging, "bundle.tar.gz");
            if (File.Exists(bundle))
            {
                File.Move(bundle, Path.Combine(groupDir, "bundle.tar.gz")); // stored once for the whole group
            }
            var work = Path.Combine(staging, "work");
            foreach (var (id, spec) in jobs)
            {
                var jobStaging = Path.Combine(paths.Uploads, Guid.NewGuid().ToString("n"));
                made.Add(jobStaging);
                CopyTree(work, Path.Combine(jobStaging, "work"), cancellationToken);
                Directory.CreateDirectory(Path.Combine(jobStaging, "artifacts"));
                await using (var file = new FileStream(Path.Combine(jobStaging, "spec.json"), FileMode.CreateNew, FileAccess.Write))
                {
                    await JsonSerializer.SerializeAsync(file, spec, AtlasJson.Options, cancellationToken);
                    file.Flush(flushToDisk: true);
                }
                var jobDir = paths.Job(id);
                made.Add(jobDir);
                Directory.Move(jobStaging, jobDir);
            }

            var outcome = await store.SubmitGroupAsync(groupId, group.Name ?? template.Name, group.MaxRunning, jobs,
                template.After ?? [], template.AfterAny ?? [], owner, activity?.Id ?? Activity.Current?.Id, idempotencyKey, cancellationToken);
            switch (outcome.Kind)
            {
                case GroupSubmitKind.Created:
                    made.Clear(); // recorded: the folders are the group's now
                    break;
                case GroupSubmitKind.Replayed:
                    return await reader.GetGroupAsync(outcome.Id, cancellationToken) is { } earlier
                        ? SubmitResult.AcceptedGroup(earlier, replayed: true)
                        : SubmitResult.Rejected(StatusCodes.Status409Conflict, "The idempotency key names a removed group.", JobSubmitter.IdempotencyHeader, "Use a new key.");
                case GroupSubmitKind.RefusedDependency:
                    return JobSubmitter.DependencyRefused(template, outcome.Id);
                case GroupSubmitKind.IdTaken:
                    return SubmitResult.Rejected(StatusCodes.Status409Conflict, "An id was taken.", "group", "A generated id already exists; submit again.");
                default:
                    return SubmitResult.Rejected(StatusCodes.Status500InternalServerError, "The cluster's records are damaged.", "group",
                        $"Redis key '{outcome.Id}' holds the wrong type; nothing was recorded.");
            }
        }
        finally
        {
            foreach (var dir in made)
            {
                TryDelete(dir);
            }
        }

        for (var i = 0; i < jobs.Count; i++)
        {
            metrics.Submitted();
        }
        Log.GroupSubmitted(logger, groupId, jobs.Count);
        var view = await reader.GetGroupAsync(groupId, cancellationToken) ?? new GroupView { Id = groupId, Total = jobs.Count };
        return SubmitResult.AcceptedGroup(view with { JobIds = [.. jobs.Select(j => j.Id)] }, replayed: false);
    }

    // A copy, not links: a job may change the files of its own work folder without touching its siblings'.
    private static void CopyTree(string source, string destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Directory.CreateDirectory(destination);
        foreach (var dir in Directory.EnumerateDirectories(source))
        {
            CopyTree(dir, Path.Combine(destination, Path.GetFileName(dir)), cancellationToken);
        }
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file))); // keeps the mode bits (executables stay executable)
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(destination, File.GetUnixFileMode(source));
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
