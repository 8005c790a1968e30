namespace Atlas.Core.SharedVolume;

/// <summary>
/// Where a job's files live on the shared volume (DESIGN.md, "Shared volume"). Every node mounts
/// the volume at the same <see cref="Root"/>, so these paths mean the same on the master and the workers.
/// </summary>
public sealed class JobPaths(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Where uploads wait while they are checked; outside <c>jobs/</c> so a rejected bundle leaves no job folder.</summary>
    public string Uploads => Path.Combine(Root, "uploads");

    public string JobsRoot => Path.Combine(Root, "jobs");

    public string Job(string id) => Path.Combine(JobsRoot, id);

    public string Spec(string id) => Path.Combine(Job(id), "spec.json");

    public string Bundle(string id) => Path.Combine(Job(id), "bundle.tar.gz");

    /// <summary>
    /// The job's project folder. A tarball job has it from its submit; a manifest job's is built
    /// by the worker when the job starts, from <see cref="Manifest"/> (<c>Atlas.Core.Bundles.WorkFolder</c>).
    /// </summary>
    public string Work(string id) => Path.Combine(Job(id), "work");

    /// <summary>The manifest a job's <see cref="Work"/> is built from: present for a job submitted as a manifest.</summary>
    public string Manifest(string id) => Path.Combine(Job(id), Bundles.JobManifest.FileName);

    /// <summary>The content-addressed project files, <c>blobs/{scope}/{aa}/{sha256}</c>, one scope per user.</summary>
    public string BlobsRoot => Path.Combine(Root, "blobs");

    /// <summary>Where the blob <paramref name="sha256"/> of <paramref name="scope"/> lies (written by the master, read by workers).</summary>
    public string Blob(string scope, string sha256) => Path.Combine(BlobsRoot, scope, sha256[..2], sha256);

    public string Logs(string id) => Path.Combine(Job(id), "logs");

    /// <summary>stdout and stderr interleaved in the order they were read: what <c>atlas logs</c> shows.</summary>
    public string OutputLog(string id) => Path.Combine(Logs(id), "output.log");

    public string StdoutLog(string id) => Path.Combine(Logs(id), "stdout.log");

    public string StderrLog(string id) => Path.Combine(Logs(id), "stderr.log");

    public string Artifacts(string id) => Path.Combine(Job(id), "artifacts");

    /// <summary>Where schedules keep what they submit from: <c>schedules/{id}/spec.json</c> and <c>bundle.tar.gz</c>.</summary>
    public string SchedulesRoot => Path.Combine(Root, "schedules");

    public string Schedule(string id) => Path.Combine(SchedulesRoot, id);

    public string ScheduleSpec(string id) => Path.Combine(Schedule(id), "spec.json");

    /// <summary>The bundle every tick of the schedule submits (absent when the schedule was added without one).</summary>
    public string ScheduleBundle(string id) => Path.Combine(Schedule(id), "bundle.tar.gz");

    public string GroupsRoot => Path.Combine(Root, "groups");

    /// <summary>A group's folder: its bundle, stored once for all of its jobs (each job's <c>work/</c> is unpacked from it).</summary>
    public string Group(string id) => Path.Combine(GroupsRoot, id);
}
