namespace Atlas.Master.Scaling;

/// <summary>The EC2 seam of dynamic workers: list, launch, terminate.</summary>
public interface IWorkerFleet
{
    /// <summary>The cluster's dynamic workers that are pending or running.</summary>
    Task<IReadOnlyList<FleetInstance>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Launches up to <paramref name="count"/> dynamic workers, tagged with the cluster; returns their ids.</summary>
    Task<IReadOnlyList<string>> LaunchAsync(int count, CancellationToken cancellationToken);

    Task TerminateAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken);
}
