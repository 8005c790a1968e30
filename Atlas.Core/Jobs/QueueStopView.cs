namespace Atlas.Core.Jobs;

/// <summary>What <c>POST /api/v1/queue/stop</c> did: how many waiting jobs it cancelled, and whose.</summary>
/// <param name="Cancelled">Waiting jobs (queued or held on dependencies) now cancelled.</param>
/// <param name="Scope">Whose: <c>mine</c>, <c>user:NAME</c> or <c>everyone</c>.</param>
public sealed record QueueStopView(long Cancelled, string Scope);
