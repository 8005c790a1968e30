namespace Atlas.Core.Jobs;

/// <summary>What <c>atlas stop --group</c> did: queued jobs cancelled at once, jobs on nodes asked to stop, and jobs that had already ended.</summary>
public sealed record GroupStopView(string Id, int Cancelled, int Stopping, int AlreadyEnded);
