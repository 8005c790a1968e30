namespace Atlas.Core.Docker.Api;

/// <summary>One line of the JSON stream <c>POST /images/create</c> answers with.</summary>
internal sealed record PullProgress(string? Status, string? Error, PullErrorDetail? ErrorDetail);
