using Atlas.AppHost.Model;
using Atlas.AppHost.Preflight;
using Atlas.Core.Containers;

namespace Atlas.AppHost;

/// <summary>
/// What follows a run once the app has stopped, whoever ran it (this Program or a test host through
/// Aspire.Hosting.Testing, which runs Program only up to <c>Build()</c>): wait for the processes DCP
/// started to be gone, then remove any container of this cluster still there.
/// </summary>
internal sealed class ClusterCleanup(ClusterModel model, PreflightResult preflight, ResourceProcesses processes)
{
    private static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(15);

    /// <summary>Runs after the app has stopped (DCP stops the services after the host).</summary>
    public async Task AfterStopAsync(CancellationToken cancellationToken)
    {
        await processes.WaitExitedAsync(ExitLimit);
        if (preflight.DockerAnswers)
        {
            using var docker = new DockerProbe();
            await docker.RemoveLabelledAsync(ContainerLabels.Cluster, model.ClusterId, cancellationToken);
        }
    }
}
