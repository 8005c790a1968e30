using Atlas.Core.SharedVolume;
using Atlas.Core.Storage;
using Atlas.Core.Tracking;
using Atlas.Worker.Runtime;
using Microsoft.Extensions.Options;

namespace Atlas.Worker.Tracking;

/// <summary>Starts the <see cref="MetricsIngest"/> of each job this node runs.</summary>
internal sealed class MetricsIngests(TrackingWriter writer, JobPaths paths, IOptions<TrackingLimits> limits, TimeProvider time, ILogger<MetricsIngest> logger)
{
    /// <summary>The job's metrics file, in its working directory; <c>ATLAS_METRICS_FILE</c> names it.</summary>
    public const string RawFileName = ".atlas-metrics.jsonl";

    /// <summary>
    /// Starts taking <paramref name="job"/>'s reports. <paramref name="jobOutputDir"/> is
    /// <c>ATLAS_OUTPUT_DIR</c> as the job sees it. The job's folder also gets the Python helper.
    /// </summary>
    public Task<MetricsIngest> StartAsync(JobRecord job, long fence, string jobOutputDir, IJobOutput jobLog, CancellationToken cancellationToken)
    {
        var work = paths.Work(job.View.Id);
        try
        {
            JobHelper.CopyTo(work);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.MetricsReadFailed(logger, job.View.Id, ex); // the job runs without the helper
        }
        return MetricsIngest.StartAsync(job.View.Id, fence, job.View.Attempt == 1, Path.Combine(work, RawFileName), jobOutputDir, paths, writer, limits.Value, jobLog, time, logger, cancellationToken);
    }
}
