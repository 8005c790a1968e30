namespace Atlas.Core.Storage;

/// <summary>What a claim took: the jobs now starting under this node, and the inbox entries refused as stale.</summary>
public sealed record ClaimedJobs(IReadOnlyList<JobRecord> Claimed, IReadOnlyList<string> Stale);
