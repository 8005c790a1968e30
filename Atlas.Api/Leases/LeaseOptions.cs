namespace Atlas.Api.Leases;

/// <summary>
/// The job lease, one setting for the master and every worker: <c>Atlas:LeaseSeconds</c>
/// (<c>Atlas__LeaseSeconds</c>). The master gives an assignment this long before a worker claims
/// it; a worker renews it by this much at each heartbeat; the master calls a job lost when it lapses.
/// </summary>
public sealed class LeaseOptions
{
    public const string Section = "Atlas";

    /// <summary>The settings this one replaced; naming either fails the start with a message.</summary>
    public static readonly string[] ReplacedKeys = ["Atlas:Worker:LeaseSeconds", "Atlas:Master:LeaseSeconds"];

    /// <summary>How long a job is held on a node without a heartbeat, in seconds.</summary>
    public double LeaseSeconds { get; set; } = 15;

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);
}
