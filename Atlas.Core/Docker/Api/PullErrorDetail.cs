namespace Atlas.Core.Docker.Api;

/// <summary>The <c>errorDetail</c> of a pull progress line.</summary>
internal sealed record PullErrorDetail(string? Message);
