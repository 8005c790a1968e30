using Atlas.AppHost.Orchestration;

namespace Atlas.AppHost.Preflight;

/// <summary>What the checks before a run found.</summary>
/// <param name="Runtime"><c>docker</c> or <c>process</c>: the workers' job runtime.</param>
/// <param name="DockerAnswers">Whether a Docker Engine answered.</param>
/// <param name="Redis">How Redis is started.</param>
/// <param name="Warning">A line to print before starting, or null.</param>
internal sealed record PreflightResult(string Runtime, bool DockerAnswers, RedisLauncher Redis, string? Warning);
